import { defineConfig } from '@playwright/test'
import { chromiumHint, findChromium } from './scripts/chromium.js'

/** A Chromium already on this machine; browsers are never downloaded by the test tool (no internet on CI machines). */
const chromium = findChromium()
if (!chromium) throw new Error(chromiumHint)

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  outputDir: 'test-results',
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    {
      name: 'web',
      testMatch: /.*\.web\.spec\.ts/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: chromium,
          // Without these Chromium keeps trying to reach Google's services, which this network refuses.
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    { name: 'electron', testMatch: /.*\.electron\.spec\.ts/ },
  ],
})
