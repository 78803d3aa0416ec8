import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import type { CatalogEntry } from '../../src/shared/models.js'
import { startFileServer, type FileServer } from '../support/fileServer.js'
import { repoRoot, requireBuild, tinyModel } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

// The dev model host serves the tiny model as the smallest catalog entry (the only header that answers), so on
// this CPU-only machine it is the one recommended; nothing is downloaded from the internet.
const catalog = JSON.parse(readFileSync(join(repoRoot, 'resources', 'catalog.json'), 'utf8')) as { models: CatalogEntry[] }
const smallest = [...catalog.models].sort((a, b) => a.sizeBytes - b.sizeBytes)[0]!
const hfPath = smallest.uri.replace(/^hf:([^/]+)\/([^/]+)\/(.+)$/, '$1/$2/resolve/main/$3')
const escaped = smallest.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const downloadButton = new RegExp(`^Download ${escaped} \\([\\d.]+ MB\\) and chat$`)
const RAW_ERRORS = /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|getaddrinfo|fetch failed|UND_ERR/

/** Sends a message and waits for the local model's whole reply. */
async function chat(page: Page): Promise<void> {
  const composer = page.getByLabel('Message')
  await composer.fill('Once upon a time')
  await composer.press('Enter')
  await expect(page.locator('.message.assistant')).toHaveAttribute('data-state', 'complete')
  expect((await page.locator('.message.assistant .content').textContent())?.length).toBeGreaterThan(10)
}

test.describe('first open, online', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gridforge-welcome-'))
  const token = 'e2e-welcome-token-0123456789abcdef'
  let files: FileServer
  let serve: ServeProcess

  test.beforeAll(async () => {
    requireBuild()
    // Slow enough that the progress is on screen for a few seconds.
    files = await startFileServer({ [hfPath]: tinyModel }, { bytesPerSecond: 300_000 })
    serve = await startServe(dataDir, token, 0, { HF_ENDPOINT: files.origin })
  })
  test.afterAll(async () => {
    await serve?.stop()
    await files?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('the welcome offers both paths; Chat privately downloads the recommended model and lands in a chat with it', async ({ page }) => {
    await page.goto(`${serve.url}#token=${token}`)
    const welcome = page.getByRole('region', { name: 'Welcome' })
    await expect(welcome.getByRole('heading', { name: 'Chat privately' })).toBeVisible()
    await expect(welcome.getByRole('heading', { name: 'Start earning' })).toBeVisible()

    // Start earning is the Earn setup; the welcome is still there on the way back.
    await welcome.getByRole('button', { name: 'Set up earning' }).click()
    await expect(page.getByRole('region', { name: 'Set up earning' })).toBeVisible()
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Chat' }).click()

    const offer = welcome.getByTestId('welcome-offer')
    await expect(offer).toContainText(new RegExp(`Recommended for this PC: ${escaped} · [\\d.]+ MB · Runs on CPU`))
    await welcome.getByRole('button', { name: downloadButton }).click()
    await expect(welcome.getByTestId('welcome-download')).toHaveText(/^[\d.]+ (KB|MB) of 1\.2 MB \(\d+%\)/)
    await expect(welcome.getByRole('progressbar', { name: 'Download progress' })).toBeVisible()

    // Downloaded, loaded, and the chat is on screen with that model, named as the catalog names it.
    await expect(welcome).toHaveCount(0)
    await expect(page.getByRole('status').filter({ hasText: /qwen2\.5-0\.5b-instruct-q4_k_m\.gguf loaded · CPU/ })).toBeVisible()
    await expect(page.getByLabel('Model').locator('option:checked')).toHaveText(new RegExp(`^${smallest.name} · 1\\.2 MB, .* · loaded$`))
    await expect(page.getByText('No chats yet: type a message to start one.')).toBeVisible()
    await chat(page)

    // Done once: the next visit opens on the chat.
    await page.reload()
    await expect(page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Once upon a time' })).toBeVisible()
    await expect(page.getByRole('region', { name: 'Welcome' })).toHaveCount(0)
  })
})

test.describe('first open, offline', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gridforge-welcome-offline-'))
  const token = 'e2e-welcome-offline-token-0123456789'
  const sockets = new Set<Socket>()
  let silent: Server
  let serve: ServeProcess

  test.beforeAll(async () => {
    requireBuild()
    // A model host that accepts connections and never answers: the worst offline there is (no quick refusal).
    silent = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as { port: number }).port
    serve = await startServe(dataDir, token, 0, { HF_ENDPOINT: `http://127.0.0.1:${port}` })
  })
  test.afterAll(async () => {
    await serve?.stop()
    for (const socket of sockets) socket.destroy()
    silent?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('says "fit unknown: offline" within seconds, retries the download visibly, and finishes with a model file on this PC', async ({
    page,
  }) => {
    await page.goto(`${serve.url}#token=${token}`)
    const welcome = page.getByRole('region', { name: 'Welcome' })
    await expect(welcome.getByTestId('welcome-offline')).toContainText('Fit unknown: offline', { timeout: 12_000 })
    await expect(welcome.getByTestId('welcome-offline')).toContainText('could not be reached')

    // The download says what it is doing at once, then why it cannot and when it tries again.
    await welcome.getByRole('button', { name: downloadButton }).click()
    const note = welcome.getByTestId('welcome-download')
    await expect(note).toHaveText('Connecting to the model host…')
    await expect(note).toHaveText(
      /^127\.0\.0\.1:\d+ did not answer in time; the network may be down or very slow\. (Retrying in \d+ s, attempt \d of 6\.|Trying again \(attempt \d of 6\)…)$/,
      { timeout: 25_000 },
    )
    await expect(page.locator('body')).not.toContainText(RAW_ERRORS)

    // A model already on this PC finishes it without the network, listed first.
    await welcome.getByRole('button', { name: 'Choose another model' }).click()
    await welcome.getByText('I already have a model file').click()
    await welcome.getByLabel('File or folder').fill(tinyModel)
    await welcome.getByRole('button', { name: 'Add', exact: true }).click()
    const onThisPc = welcome.getByRole('list', { name: 'Models on this PC' })
    await expect(onThisPc).toContainText('1.2 MB')
    await onThisPc.getByRole('button', { name: /^Chat with / }).click()
    await expect(welcome).toHaveCount(0)
    await expect(page.getByRole('status').filter({ hasText: /stories260K\.gguf loaded · CPU/ })).toBeVisible()
    await chat(page)
    await expect(page.locator('body')).not.toContainText(RAW_ERRORS)
  })
})
