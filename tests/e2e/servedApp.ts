import { expect, test, type Page } from '@playwright/test'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import type { DevGridOptions } from '../support/devGrid/types.js'
import { DEV_KEY } from '../support/gridChatWorkers.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'
import { TestClient } from '../support/wsClient.js'

/** The app one spec file drives in the browser; `serve` and `grid` are there from the spec's first test on. */
export class ServedApp {
  /** The data folder, with the tiny model in its models folder (`temp.model`). */
  readonly temp = tempDataDir()
  readonly token: string
  serve!: ServeProcess
  /** The dev grid, where the spec asked for one. */
  grid!: DevGrid

  constructor(name: string) {
    this.token = `e2e-${name}-token-0123456789abcdef`
  }

  /** Opens the UI in `page`, signed in with the token. */
  open(page: Page): Promise<unknown> {
    return page.goto(`${this.serve.url}#token=${this.token}`)
  }

  /** A WebSocket client of the app's API, for setting up what the spec does not test; close it when done. */
  client(): Promise<TestClient> {
    return TestClient.connect(this.serve.url, this.token)
  }
}

/**
 * Registers the spec file's beforeAll and afterAll: a fresh data folder, a dev grid first when `grid` gives its options,
 * then `gridforge serve` on the folder, then the spec's own `setUp`; after the last test, `tearDown`, then serve and grid
 * stop and the folder goes. `name` tells the spec's token apart.
 */
export function servedApp(
  name: string,
  options: { grid?: DevGridOptions; setUp?: () => Promise<void>; tearDown?: () => void | Promise<void> } = {},
): ServedApp {
  const app = new ServedApp(name)
  test.beforeAll(async () => {
    requireBuild()
    if (options.grid) app.grid = await startDevGrid(options.grid)
    app.serve = await startServe(app.temp.dir, app.token)
    await options.setUp?.()
  })
  test.afterAll(async () => {
    await options.tearDown?.()
    await app.serve?.stop()
    await app.grid?.close()
    app.temp.cleanup()
  })
  return app
}

/** Points the app's miner at the dev grid with the dev key, as the Earn settings would, so that chats can go to the grid. */
export async function earnOnDevGrid(
  client: TestClient,
  grid: DevGrid,
  settings: { workerName: string; maxLength: number; maxContextLength: number },
): Promise<void> {
  // The key is checked against the configured grid: point at the dev grid first.
  await client.value('earn.configure', { network: 'aipg', gridUrl: grid.url, slots: 1, ...settings })
  await client.value('earn.setApiKey', { network: 'aipg', apiKey: DEV_KEY })
}

/** Loads the data folder's tiny model from the chat view's picker and waits for the loaded line. */
export async function loadModelInUi(page: Page, app: ServedApp): Promise<void> {
  await page.getByLabel('Model').selectOption(app.temp.model)
  await page.getByRole('button', { name: 'Load' }).click()
  await expect(page.getByText(/stories260K\.gguf loaded/)).toBeVisible()
}

/** Goes to the Earn view past its setup steps. */
export async function openEarnView(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  await page.getByRole('button', { name: 'Skip setup' }).click()
}

/** Saves the dev key, `workerName`, the dev grid and a 1024-token context in the Earn view's settings, and waits until saved. */
export async function saveMinerSettings(page: Page, grid: DevGrid, workerName: string): Promise<void> {
  await page.getByLabel('API key').fill(DEV_KEY)
  await page.getByLabel('Worker name').fill(workerName)
  await page.getByLabel('Grid URL').fill(grid.url)
  await page.getByLabel('Max context').fill('1024')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByLabel('API key')).toHaveAttribute('placeholder', 'saved (…lice)')
}
