import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

// One build for both shells: the Electron entry and the plain-Node entries (CLI, engine process, bench)
// share chunks, and node-llama-cpp / better-sqlite3 stay external so their native parts load from disk.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          electronMain: resolve('src/main/electron/electronMain.ts'),
          cli: resolve('src/main/cli.ts'),
          engineProcess: resolve('src/main/engine/engineProcess.ts'),
          importThread: resolve('src/main/chat/transfer/importThread.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads cannot load ES modules or anything from node_modules: one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      minify: true,
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
})
