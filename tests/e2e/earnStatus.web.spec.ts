import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import type { CatalogEntry } from '../../src/shared/models.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { startFileServer, type FileServer } from '../support/fileServer.js'
import { repoRoot, requireBuild, tempDataDir, tinyModel } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'
import { TestClient } from '../support/wsClient.js'

const temp = tempDataDir()
const token = 'e2e-earn-status-token-0123456789'
const story = { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 40 }
// The smallest catalog entry's header answers (the tiny model), so it fits this CPU and is recommended.
const catalog = JSON.parse(readFileSync(join(repoRoot, 'resources', 'catalog.json'), 'utf8')) as CatalogEntry[] | { models: CatalogEntry[] }
const entry = [...(Array.isArray(catalog) ? catalog : catalog.models)].sort((a, b) => a.sizeBytes - b.sizeBytes)[0]!
const hfPath = entry.uri.replace(/^hf:([^/]+)\/([^/]+)\/(.+)$/, '$1/$2/resolve/main/$3')
let serve: ServeProcess
let grid: DevGrid
let files: FileServer

test.beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({ mode: 'aipg' })
  files = await startFileServer({ [hfPath]: tinyModel })
  serve = await startServe(temp.dir, token, 0, { HF_ENDPOINT: files.origin })
})
test.afterAll(async () => {
  await serve?.stop()
  await grid?.close()
  await files?.close()
  temp.cleanup()
})

/** The miner set up as the Earn settings would, against `gridUrl`, with the tiny model loaded. */
async function setUp(gridUrl: string, workerName: string, slots: number | null = 1): Promise<void> {
  const client = await TestClient.connect(serve.url, token)
  await client.value('earn.configure', { network: 'aipg', gridUrl, workerName, slots, maxLength: 64, maxContextLength: 1024 })
  await client.value('earn.setApiKey', { network: 'aipg', apiKey: 'dev-key-alice' })
  await client.value('engine.load', { path: temp.model })
  client.close()
}

test('the setup offers the model already on this PC before any download', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  const setup = page.getByRole('region', { name: 'Set up earning' })
  // The catalog has a recommendation for this PC, and still the file on this PC comes first.
  await expect(setup.getByTestId('local-model-first')).toContainText(
    `A model is already on this PC: mining one needs no download. The catalog's pick for this PC is ${entry.name}`,
  )
  const choice = setup.getByLabel('Model to mine with')
  await expect(choice).toHaveValue(/^local:/)
  await expect(choice.locator('option:checked')).toHaveText(/^stories260K\.gguf/)
  await expect(choice.locator('optgroup').first()).toHaveAttribute('label', 'Already on this PC')
  await setup.getByRole('button', { name: 'Skip setup' }).click()
})

test('the top card is a dashboard: state in big words, the rate, today per network, and a pill in the sidebar', async ({ page }) => {
  await setUp(grid.url, 'status-rig')
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  const state = page.locator('[data-earn-state]')
  await expect(state.locator('.earn-word')).toHaveText('Not earning')
  await expect(page.getByTestId('earn-pill')).toHaveCount(0)
  await expect(page.getByTestId('earn-slots')).toHaveText('1 (your setting)')

  for (let i = 0; i < 2; i++) grid.enqueueAipg({ request: story })
  await page.getByRole('button', { name: 'Start earning' }).click()
  await expect(page.locator('[data-stat="jobs"]')).toHaveText('2')
  await expect(state.locator('.earn-word')).toHaveText('Earning')
  await expect(state).toContainText('Waiting for jobs')
  await expect(page.getByTestId('earn-mining')).toHaveText(`Mining stories260K.gguf on AIPG grid (${grid.url}) as status-rig`)
  // With no job running the card gives the last job's rate, from the ledger.
  await expect(page.getByTestId('earn-rate')).toHaveText(/^\d+(\.\d)? tok\/s$/)
  await expect(page.getByTestId('earn-jobs-today')).toHaveText('2')
  await expect(page.locator('[data-fact="rewards-today-aipg"] dt')).toHaveText('AIPG grid today (den)')
  await expect(page.getByTestId('earn-today-aipg')).not.toHaveText('0.00')
  // The Horde's kudos are never shown as a sum with den: no Horde line without Horde rewards.
  await expect(page.locator('[data-fact="rewards-today-horde"]')).toHaveCount(0)

  // Seen from Chat: the pill says it, and opens Earn.
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Chat' }).click()
  const pill = page.getByTestId('earn-pill')
  await expect(pill).toHaveAccessibleName('Earning · waiting')
  await expect(pill).toHaveAttribute('data-tone', 'on')
  await pill.click()
  await expect(page.getByRole('region', { name: 'Earn', exact: true })).toBeVisible()

  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(state.locator('.earn-word')).toHaveText('Not earning')
  await expect(page.getByTestId('earn-pill')).toHaveCount(0)
})

test('with no slot setting the card says the count was chosen for this PC at Start', async ({ page }) => {
  await setUp(grid.url, 'chosen-rig', null)
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  const slots = page.getByTestId('earn-slots')
  await expect(slots).toHaveText('chosen for this PC at Start')
  grid.enqueueAipg({ request: story })
  await page.getByRole('button', { name: 'Start earning' }).click()
  await expect(slots).toHaveText(/^[124] \(chosen for this PC\)$/)
  // The measurement at this first Start does not hold the miner up: the queued job is run under a slot's name.
  await expect(page.locator('[data-stat="jobs"]')).toHaveText('1')
  const count = Number((await slots.textContent())!.charAt(0))
  const names = count === 1 ? ['chosen-rig'] : Array.from({ length: count }, (_, i) => `chosen-rig-${i + 1}`)
  expect(grid.aipg.registrations.map((r) => r.name)).toEqual(expect.arrayContaining(names))
  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(page.locator('[data-earn-state] .earn-word')).toHaveText('Not earning')
})

test('a grid that refuses connections is said in words, with no errno code on the page', async ({ page }) => {
  const gone = await startDevGrid({ mode: 'aipg' })
  await setUp(gone.url, 'refused-rig')
  const port = new URL(gone.url).port
  await gone.close()
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  await page.getByRole('button', { name: 'Start earning' }).click()
  const state = page.locator('[data-earn-state]')
  await expect(state.locator('.earn-word')).toHaveText('Paused')
  await expect(state).toContainText('The grid is not answering')
  await expect(page.locator('.earn-detail').filter({ hasText: 'refused the connection' })).toContainText(
    `127.0.0.1:${port} refused the connection; the server is down or the address is wrong.`,
  )
  await expect(page.getByTestId('earn-pill')).toHaveAccessibleName('Paused')
  expect(await page.locator('body').innerText()).not.toMatch(/E[A-Z]{4,}|fetch failed/)
  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(state.locator('.earn-word')).toHaveText('Not earning')
})
