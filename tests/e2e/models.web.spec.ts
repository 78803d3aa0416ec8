import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import type { CatalogEntry } from '../../src/shared/models.js'
import { startFileServer, type FileServer } from '../support/fileServer.js'
import { repoRoot, requireBuild, tempDataDir, tinyModel } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const temp = tempDataDir()
const token = 'e2e-token-models-0123456789abcdef'
const catalog = JSON.parse(readFileSync(join(repoRoot, 'resources', 'catalog.json'), 'utf8')) as { models: CatalogEntry[] }
const smallest = [...catalog.models].sort((a, b) => a.sizeBytes - b.sizeBytes)[0]!
let files: FileServer
let serve: ServeProcess

test.beforeAll(async () => {
  requireBuild()
  files = await startFileServer({
    [smallest.uri.replace(/^hf:([^/]+)\/([^/]+)\//, '$1/$2/resolve/main/')]: tinyModel,
    'dl/story.gguf': tinyModel,
  })
  serve = await startServe(temp.dir, token, 0, { HF_ENDPOINT: files.origin })
})
test.afterAll(async () => {
  await serve?.stop()
  await files?.close()
  temp.cleanup()
})

test('download a model with visible progress, pause and resume it, then chat with it and remove it', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Models' }).click()

  await expect(page.getByText(/^This PC: no usable GPU .*; \d+ CPU cores\.$/)).toBeVisible()
  const local = page.getByRole('list', { name: 'Local models' })
  await expect(local.locator('[data-model-id="stories260k"] strong')).toHaveText('stories260K.gguf')
  await expect(local.getByText('1.2 MB · llama · 293K parameters · 2,048 context · no chat template (text continuation)')).toBeVisible()
  await expect(local.locator('[data-model-id="stories260k"] .badge.fit')).toHaveText('Runs on CPU')
  const recommended = page.locator(`[data-catalog-id="${smallest.id}"]`)
  await expect(recommended.getByText('Recommended for this PC')).toBeVisible()
  await expect(page.locator('.catalog-item').first()).toHaveAttribute('data-catalog-id', smallest.id)

  files.faults = { bytesPerSecond: 250_000 }
  await page.getByLabel('From a URL or Hugging Face').fill(files.url('dl/story.gguf'))
  await page.getByRole('button', { name: 'Download', exact: true }).click()
  const queue = page.getByRole('region', { name: 'Downloads' })
  const row = queue.locator('li').filter({ hasText: 'story.gguf' })
  await expect(row).toHaveAttribute('data-download-state', 'downloading')
  await expect(row.getByText(/^[\d.]+ (KB|MB) of 1\.2 MB \(\d+%\) · [\d.]+ KB\/s · \d+ s left$/)).toBeVisible()
  await row.getByRole('button', { name: 'Pause' }).click()
  await expect(row).toHaveAttribute('data-download-state', 'paused')
  const pausedAt = Number(await row.locator('progress').getAttribute('value'))
  expect(pausedAt).toBeGreaterThan(0)
  expect(pausedAt).toBeLessThan(100)

  files.faults = {}
  await row.getByRole('button', { name: 'Resume' }).click()
  await expect(row).toHaveAttribute('data-download-state', 'done')
  const story = local.locator('[data-model-id="story"]')
  await expect(story.getByText(/^Downloaded by GridForge: .*story\.gguf$/)).toBeVisible()

  await story.getByRole('button', { name: 'Load' }).click()
  await expect(story.getByText('Loaded', { exact: true })).toBeVisible()
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Chat' }).click()
  await expect(page.getByText(/story\.gguf loaded · CPU/)).toBeVisible()
  const composer = page.getByLabel('Message')
  await composer.fill('Once upon a time')
  await composer.press('Enter')
  await expect(page.locator('.message.assistant')).toHaveAttribute('data-state', 'complete')

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Models' }).click()
  await story.getByRole('button', { name: 'Unload' }).click()
  await story.getByRole('button', { name: 'Remove…' }).click()
  await expect(story.getByText('Delete the file too?')).toBeVisible()
  await story.getByRole('button', { name: 'Delete' }).click()
  await expect(page.getByText('Removed story.gguf and deleted its file.')).toBeVisible()
  await expect(story).toHaveCount(0)
})

test('a bad download source is explained and leaves nothing behind', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Models' }).click()
  await page.getByLabel('From a URL or Hugging Face').fill(files.url('dl/missing.gguf'))
  await page.getByRole('button', { name: 'Download', exact: true }).click()
  const row = page.getByRole('region', { name: 'Downloads' }).locator('li').filter({ hasText: 'missing.gguf' })
  await expect(row).toHaveAttribute('data-download-state', 'failed')
  await expect(row.getByRole('alert')).toHaveText('The server has no file at that address (HTTP 404).')
  await row.getByRole('button', { name: 'Cancel' }).click()
  await expect(row).toHaveCount(0)

  await page.getByLabel('From a URL or Hugging Face').fill(`${files.origin}/x/..%2Fescape.gguf`)
  await page.getByRole('button', { name: 'Download', exact: true }).click()
  await expect(page.getByRole('alert')).toHaveText(/does not end in a plain \.gguf file name/)
})
