import { defineConfig } from 'vitest/config'

// Tests are grouped by the runtime they need: unit (no native modules, no processes) and integration
// (real SQLite, the real engine process on the tiny model, servers on loopback).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One file at a time: each starts llama.cpp, and two cores are shared with it.
          fileParallelism: false,
        },
      },
    ],
  },
})
