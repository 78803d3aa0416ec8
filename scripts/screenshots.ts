// Takes the README's screenshots: each view at 1280 and 420 px wide, in light and dark, against a real
// `gridforge serve` with the test model loaded and earning on the dev grid (nothing leaves 127.0.0.1).
// Run with `npm run screenshots` (it builds first); the PNGs land in docs/screenshots/.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Page } from '@playwright/test'
import { startDevGrid } from '../tests/support/devGrid/index.js'
import { DEV_KEY, scriptedAipgWorker } from '../tests/support/gridChatWorkers.js'
import { repoRoot, requireBuild, tempDataDir } from '../tests/support/paths.js'
import { startServe } from '../tests/support/serveProcess.js'
import { TestClient } from '../tests/support/wsClient.js'
import { findChromium } from './chromium.js'

const OUT_DIR = join(repoRoot, 'docs', 'screenshots')
const SIZES = [
  { name: 'wide', width: 1280, height: 800 },
  { name: 'narrow', width: 420, height: 860 },
] as const
const SCHEMES = ['light', 'dark'] as const
const GRID_MODEL = 'grid/screenshot'
const REPLY = [
  'Here is a plan for the weekend:',
  '',
  '- [x] Download a model that fits this PC',
  '- [x] Chat privately, on this computer',
  '- [ ] Earn with the GPU while it is idle',
  '',
  '| Model | Size | Fit |',
  '| ----- | ---: | --- |',
  '| stories260K | 1 MB | Runs well |',
  '',
  '```python',
  'def greet(name):',
  '    return f"hi {name}"',
  '```',
].join('\n')

async function showView(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name, exact: true }).click()
  // Lets fonts, charts and the virtual list settle before the picture.
  await page.waitForTimeout(400)
}

async function main(): Promise<void> {
  requireBuild()
  const executablePath = findChromium()
  if (!executablePath) throw new Error('No Chromium found: install one or set CHROMIUM_PATH.')
  mkdirSync(OUT_DIR, { recursive: true })
  const temp = tempDataDir()
  const grid = await startDevGrid({ mode: 'aipg' })
  const writer = await scriptedAipgWorker(grid, { model: GRID_MODEL, reply: REPLY, tokenDelayMs: 2 })
  const token = 'screenshots-token-0123456789abcdef'
  const serve = await startServe(temp.dir, token)
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] })
  try {
    const client = await TestClient.connect(serve.url, token)
    await client.value('earn.configure', {
      network: 'aipg',
      gridUrl: grid.url,
      workerName: 'my-rig',
      slots: 1,
      maxLength: 64,
      maxContextLength: 1024,
    })
    await client.value('earn.setApiKey', { network: 'aipg', apiKey: DEV_KEY })
    await client.value('engine.load', { path: temp.model })

    const page = await browser.newPage({ viewport: SIZES[0] })
    await page.goto(`${serve.url}#token=${token}`)
    await page.getByText(/stories260K\.gguf loaded/).waitFor()
    const shots: Array<{ name: string; show: () => Promise<void> }> = [
      { name: 'chat-empty', show: () => page.getByRole('button', { name: 'New chat' }).click() },
      {
        name: 'chat',
        show: async () => {
          // A narrow window keeps the conversation list behind its header button.
          const list = page.locator('.chat-header').getByRole('button', { name: 'Conversations' })
          if (await list.isVisible()) await list.click()
          await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Plan my weekend' }).click()
        },
      },
      { name: 'models', show: () => showView(page, 'Models') },
      { name: 'earn', show: () => showView(page, 'Earn') },
      { name: 'settings', show: () => showView(page, 'Settings') },
    ]

    // One conversation with a Markdown reply, then the chat writer leaves so the miner gets the grid's jobs.
    await page.getByLabel('Replies from').selectOption('aipg')
    await page.getByLabel('Grid model').fill(GRID_MODEL)
    await page.getByLabel('Message').fill('Plan my weekend')
    await page.getByLabel('Message').press('Enter')
    await page.getByRole('alertdialog').getByRole('button', { name: 'Send to the AIPG grid' }).click()
    await page.locator('.message.assistant[data-state="complete"]').waitFor({ timeout: 60_000 })
    await page.getByLabel('Replies from').selectOption('local')
    writer.close()
    await client.value('earn.start', {})
    for (let i = 0; i < 3; i++) grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24 } })
    await showView(page, 'Earn')
    await page.locator('[data-stat="jobs"]').filter({ hasText: '3' }).waitFor({ timeout: 60_000 })
    client.close()

    for (const size of SIZES) {
      await page.setViewportSize(size)
      for (const colorScheme of SCHEMES) {
        await page.emulateMedia({ colorScheme })
        await showView(page, 'Chat')
        for (const shot of shots) {
          await shot.show()
          await page.waitForTimeout(300)
          const file = join(OUT_DIR, `${shot.name}-${size.name}-${colorScheme}.png`)
          await page.screenshot({ path: file })
          console.log(file)
        }
      }
    }
  } finally {
    await browser.close()
    await serve.stop()
    await grid.close()
    temp.cleanup()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
