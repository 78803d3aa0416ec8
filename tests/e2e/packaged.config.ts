import { defineConfig } from '@playwright/test'

/**
 * The smoke start of the installer's app after `npm run dist` (`npm run smoke:packaged`, run by the release
 * workflow on each runner). Kept out of playwright.config.ts: there is no packaged app before `npm run dist`.
 */
export default defineConfig({
  testDir: '.',
  testMatch: /packagedApp\.smoke\.ts/,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: '../../test-results/packaged',
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
})
