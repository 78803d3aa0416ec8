import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import type { CatalogEntry } from '../../src/shared/models.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { startFileServer, type FileServer } from '../support/fileServer.js'
import { repoRoot, requireBuild, tinyModel } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const token = 'e2e-onboarding-token-0123456789abcdef'
const dataDir = mkdtempSync(join(tmpdir(), 'gridforge-onboarding-'))
// The tiny model is served as the smallest catalog entry, the only one whose header answers (the others
// are 404: "fit unknown"), so on this CPU-only machine it is the one that fits and gets recommended.
const catalog = JSON.parse(readFileSync(join(repoRoot, 'resources', 'catalog.json'), 'utf8')) as CatalogEntry[] | { models: CatalogEntry[] }
const entries = Array.isArray(catalog) ? catalog : catalog.models
const entry = [...entries].sort((a, b) => a.sizeBytes - b.sizeBytes)[0]!
const hfPath = entry.uri.replace(/^hf:([^/]+)\/([^/]+)\/(.+)$/, '$1/$2/resolve/main/$3')
let serve: ServeProcess
let grid: DevGrid
let files: FileServer

test.beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({ mode: 'aipg' })
  // Slow enough that the download's progress is on screen for a moment.
  files = await startFileServer({ [hfPath]: tinyModel }, { bytesPerSecond: 400_000 })
  serve = await startServe(dataDir, token, 0, { HF_ENDPOINT: files.origin })
})
test.afterAll(async () => {
  await serve?.stop()
  await grid?.close()
  await files?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

test('first run: onboarding, then Start earning downloads, loads, connects and takes a job; stop', async ({ page }) => {
  // Connecting runs the grid validators' tests on the model first: 20-30 s on a busy 2-core machine.
  test.slow()
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()

  // (a) This PC and the recommended model.
  const setup = page.getByRole('region', { name: 'Set up earning' })
  await expect(setup.getByRole('heading', { name: 'Your PC' })).toBeVisible()
  const pc = setup.getByRole('definition')
  await expect(setup.getByRole('term')).toHaveText(['GPU', 'VRAM', 'RAM', 'CPU cores'])
  await expect(pc.first()).toContainText('None usable')
  await expect(pc.last()).toHaveText(/^\d+$/)
  await expect(setup.getByTestId('recommended-model')).toContainText(`Recommended for this PC: ${entry.name}`)
  await expect(setup.getByTestId('recommended-model')).toContainText('Runs on CPU')
  await expect(setup.getByLabel('Model to mine with')).toHaveValue(`catalog:${entry.id}`)
  await setup.getByRole('button', { name: 'Next' }).click()

  // (b) What mining does and what stays private.
  await expect(setup.getByText('never stores them or shows them')).toBeVisible()
  await expect(setup.getByText('Your own chats never leave this PC.')).toBeVisible()
  await setup.getByRole('button', { name: 'Next' }).click()

  // (c) The key: where to get it, refused in words when wrong, saved when right.
  const form = setup.getByRole('form', { name: 'Your AIPG API key' })
  await expect(form.getByRole('link', { name: 'https://aipowergrid.io' })).toHaveAttribute('href', 'https://aipowergrid.io')
  await expect(form).toContainText('worker')
  await expect(form.getByLabel('Worker name')).toHaveValue(/^GridForge-/)
  await form.getByText('Another grid').click()
  await form.getByLabel('Grid URL').fill(grid.url)
  await form.getByLabel('Worker name').fill('onboarding-rig')
  await form.getByLabel('API key').fill('wrong-key-123')
  await form.getByRole('button', { name: 'Check and save the key' }).click()
  await expect(form.getByRole('alert')).toContainText('does not recognise this API key')
  await expect(form.getByLabel('API key')).toHaveValue('wrong-key-123')
  await form.getByLabel('API key').fill('dev-key-alice')
  await form.getByRole('button', { name: 'Check and save the key' }).click()

  // (d) Start earning does everything.
  await expect(setup.getByRole('heading', { name: 'Start earning' })).toBeVisible()
  await expect(setup).toContainText(`download, load ${entry.name}, connect as onboarding-rig`)
  for (let i = 0; i < 2; i++) {
    grid.enqueueAipg({
      model: entry.advertised.aipg,
      request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 40 },
    })
  }
  await setup.getByRole('button', { name: 'Start earning' }).click()

  const progress = page.getByRole('region', { name: 'Start earning progress' })
  await expect(progress.locator('[data-step="download"][data-state="active"]')).toContainText(/MB of \d+ MB|Starting/)
  await expect(progress.locator('[data-step="download"]')).toHaveAttribute('data-state', 'done')
  await expect(progress.locator('[data-step="load"]')).toHaveAttribute('data-state', 'done')
  await expect(progress.locator('[data-step="load"]')).toContainText('Model loaded.')
  await expect(progress.locator('[data-step="connect"]')).toHaveAttribute('data-state', 'done', { timeout: 60_000 })
  await expect(progress.locator('[data-step="first-job"]')).toHaveAttribute('data-state', 'done')
  await expect(progress).toHaveAttribute('data-phase', 'done')
  expect(files.requests.some((r) => r.path === hfPath && r.method === 'GET' && r.status < 300)).toBe(true)

  // The worker advertised the catalog's name, and the jobs asked for under it came to it.
  expect(grid.aipg.registrations.at(-1)).toMatchObject({ name: 'onboarding-rig', models: [entry.advertised.aipg] })
  const log = page.getByRole('region', { name: 'Job log' })
  await expect(log.locator('tbody tr[data-state="ok"]')).toHaveCount(2)
  await expect(log.locator('tbody tr').first()).toContainText(entry.advertised.aipg)
  await expect(page.locator('[data-stat="jobs"]')).toHaveText('2')
  await expect(page.locator('[data-stat="rewards"]')).not.toHaveText('0.00')
  await expect(page.getByRole('region', { name: 'Earnings chart' }).getByTestId('chart-summary')).toContainText('2 jobs')
  await expect(page.locator('body')).not.toContainText('dev-key-alice')

  await progress.getByRole('button', { name: 'Close' }).click()
  await expect(progress).toHaveCount(0)
  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()

  // Finished once, the onboarding stays closed on the next visit and opens again on request.
  await page.reload()
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()
  await page.getByRole('button', { name: 'Set up again' }).click()
  await expect(setup.getByLabel('Model to mine with')).toHaveValue(`catalog:${entry.id}`)
  await expect(setup.getByLabel('Model to mine with').locator('option:checked')).toContainText('(downloaded)')
})

// Runs after the test above (one worker, in order): the key is saved and the onboarding finished.
test('a model whose download fails says why and offers Retry, another model or Cancel', async ({ page }) => {
  const missing = entries.find((candidate) => candidate.id !== entry.id)!
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  await page.getByRole('button', { name: 'Set up again' }).click()
  const setup = page.getByRole('region', { name: 'Set up earning' })
  await setup.getByLabel('Model to mine with').selectOption(`catalog:${missing.id}`)
  await setup.getByRole('button', { name: 'Next' }).click()
  await setup.getByRole('button', { name: 'Next' }).click()
  await expect(setup.getByRole('textbox', { name: 'API key' })).toHaveAttribute('placeholder', 'saved (…lice)')
  await setup.getByRole('button', { name: 'Keep the saved key' }).click()
  await setup.getByRole('button', { name: 'Start earning' }).click()

  const progress = page.getByRole('region', { name: 'Start earning progress' })
  await expect(progress.getByRole('alert')).toHaveText(
    /^The model could not be downloaded: .*404.* Retry continues where it stopped; or choose another model\.$/,
  )
  await expect(progress.locator('[data-step="download"]')).toHaveAttribute('data-state', 'failed')
  await expect(progress.locator('[data-step="connect"]')).toHaveAttribute('data-state', 'pending')
  await expect(progress.getByRole('button')).toHaveText(['Retry', 'Choose another model', 'Cancel'])
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()

  // Retry asks the model host again (and fails the same way, in the same words).
  const missingPath = missing.uri.replace(/^hf:([^/]+)\/([^/]+)\/(.+)$/, '$1/$2/resolve/main/$3')
  const asked = files.requests.filter((r) => r.path === missingPath).length
  await progress.getByRole('button', { name: 'Retry' }).click()
  await expect.poll(() => files.requests.filter((r) => r.path === missingPath).length).toBeGreaterThan(asked)
  await expect(progress.getByRole('alert')).toContainText('The model could not be downloaded:')

  await progress.getByRole('button', { name: 'Choose another model' }).click()
  await expect(setup.getByRole('heading', { name: 'Your PC' })).toBeVisible()
  await setup.getByRole('button', { name: 'Skip setup' }).click()
  await expect(page.getByRole('region', { name: 'Start earning progress' })).toHaveCount(0)
})
