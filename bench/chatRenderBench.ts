import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from '@playwright/test'
import { chromiumHint, findChromium } from '../scripts/chromium.js'
import { ChatRepository } from '../src/main/store/chatRepository.js'
import { openDatabase } from '../src/main/store/database.js'
import { startDevGrid } from '../tests/support/devGrid/index.js'
import { DEV_KEY, scriptedAipgWorker } from '../tests/support/gridChatWorkers.js'
import { startServe } from '../tests/support/serveProcess.js'
import { TestClient } from '../tests/support/wsClient.js'
import { median, metric, type Metric } from './metrics.js'

const MESSAGES = 5000
const TITLE = 'Bench: 5,000 messages'
const LAST_MARK = 'END-OF-CONVERSATION'
const OPEN_RUNS = 5
const STREAM_TOKENS = 200
const STREAM_TOKEN_MS = 20
const GRID_MODEL = 'grid/bench'
const TOKEN = 'bench-render-token-0123456789abcdef'

/** Varied Markdown, like real replies: prose, lists, now and then code or a table. */
function content(index: number): string {
  if (index === MESSAGES - 1) return `The last reply. ${LAST_MARK}`
  if (index % 2 === 0) return `Question ${index}: how would I do thing number ${index} in a few steps?`
  const prose = `Reply ${index}. `.padEnd(80 + (index % 7) * 60, 'lorem ipsum dolor sit amet ')
  if (index % 10 === 1) return `${prose}\n\n\`\`\`ts\nconst value${index} = compute(${index})\nconsole.log(value${index})\n\`\`\``
  if (index % 25 === 3) return `${prose}\n\n| a | b |\n| - | - |\n| ${index} | ${index * 2} |`
  return `${prose}\n\n- first point\n- second **point**`
}

function seed(dataDir: string): void {
  const db = openDatabase(join(dataDir, 'gridforge.db'))
  const repo = new ChatRepository(db)
  db.transaction(() => {
    const conversation = repo.createConversation(TITLE)
    let parentId: string | null = null
    for (let i = 0; i < MESSAGES; i++) {
      const message = repo.appendMessage({
        conversationId: conversation.id,
        parentId,
        role: i % 2 ? 'assistant' : 'user',
        content: content(i),
        state: 'complete',
        model: i % 2 ? 'bench.gguf' : null,
      })
      parentId = message.id
    }
  })()
  db.close()
}

// Browser-side scripts are strings: the bench's tsconfig has no DOM types, and tsx's helpers do not exist there.

/** Clicks the conversation and resolves when its last message has been painted; returns the milliseconds. */
function openAndTime(page: Page): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const button = [...document.querySelectorAll('nav[aria-label="Conversations"] button')].find((b) => b.textContent === ${JSON.stringify(TITLE)})
    const started = performance.now()
    const observer = new MutationObserver(() => {
      const last = [...document.querySelectorAll('.message .content')].at(-1)
      if (last && last.textContent.includes(${JSON.stringify(LAST_MARK)})) {
        observer.disconnect()
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - started), 0))
      }
    })
    observer.observe(document.body, { subtree: true, childList: true, characterData: true })
    button.click()
  })`)
}

/** Starts watching the streaming reply for timestamped tokens; each gets the delay until it was painted. */
async function watchTokens(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    window.tokenDelays = []
    const seen = new Set()
    new MutationObserver(() => {
      requestAnimationFrame(() => {
        const painted = Date.now()
        const text = [...document.querySelectorAll('.message.assistant .content')].at(-1)?.textContent ?? ''
        for (const match of text.matchAll(/⟦(\\d+)⟧/g)) {
          if (seen.has(match[1])) continue
          seen.add(match[1])
          window.tokenDelays.push(painted - Number(match[1]))
        }
      })
    }).observe(document.querySelector('.chat-main'), { subtree: true, childList: true, characterData: true })
  })()`)
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

/**
 * Chat rendering in Chromium against `gridforge serve`: first paint of a 5,000-message conversation
 * (click to last message painted, through the store, the WebSocket and the virtualised list), and the delay
 * from a token leaving a grid worker to it being painted while streaming into that conversation.
 */
export async function chatRenderBench(chromiumPath = findChromium()): Promise<Metric[]> {
  if (!chromiumPath) {
    process.stderr.write(`bench: chat rendering skipped. ${chromiumHint}\n`)
    return []
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'gridforge-render-bench-'))
  seed(dataDir)
  const grid = await startDevGrid({ mode: 'aipg' })
  let sequence = 0
  const worker = await scriptedAipgWorker(grid, {
    model: GRID_MODEL,
    reply: 'x'.repeat(STREAM_TOKENS * 4),
    tokenDelayMs: STREAM_TOKEN_MS,
    makeToken: () => `⟦${Date.now()}⟧ ${sequence++ % 12 === 11 ? '\n\n' : ''}`,
  })
  const serve = await startServe(dataDir, TOKEN)
  let browser: Browser | null = null
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
    const client = await TestClient.connect(serve.url, TOKEN)
    const conversationId = (await client.value('chat.list', {}))[0]!.id
    const fetches: number[] = []
    for (let run = 0; run < OPEN_RUNS; run++) {
      const started = performance.now()
      await client.value('chat.get', { conversationId })
      fetches.push(performance.now() - started)
    }
    // The key is checked against the configured grid: point at the dev grid first.
    await client.value('earn.configure', {
      network: 'aipg',
      gridUrl: grid.url,
      workerName: 'bench-rig',
      slots: 1,
      maxLength: 4096,
      maxContextLength: 8192,
    })
    await client.value('earn.setApiKey', { network: 'aipg', apiKey: DEV_KEY })
    client.close()

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(`${serve.url}#token=${TOKEN}`)
    await page.getByRole('button', { name: TITLE }).waitFor()
    const firstOpen = await openAndTime(page)
    const opens: number[] = []
    for (let run = 0; run < OPEN_RUNS; run++) {
      await page.getByRole('button', { name: '+ New chat' }).click()
      await page.locator('.messages.empty').waitFor()
      opens.push(await openAndTime(page))
    }
    const rows = await page.locator('.message-row').count()

    await page.locator('#chat-backend').selectOption('aipg')
    await page.locator('#grid-model').fill(GRID_MODEL)
    await watchTokens(page)
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Stream into the long conversation, please.')
    await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter')
    await page
      .getByRole('alertdialog')
      .getByRole('button', { name: /^Send to/ })
      .click()
    await page.locator('.message.assistant[data-state="streaming"]').waitFor({ timeout: 10_000 })
    await page.locator('.message.assistant[data-state="streaming"]').waitFor({ state: 'detached', timeout: 60_000 })
    await page.waitForFunction(`window.tokenDelays.length >= ${STREAM_TOKENS}`, undefined, { timeout: 10_000 }).catch(() => undefined)
    const delays = await page.evaluate<number[]>('window.tokenDelays')

    return [
      metric('chat.render.open_5000_messages.first', firstOpen, 'ms', '< 200', 'click to last message painted, Chromium, first open'),
      metric('chat.render.open_5000_messages.median', median(opens), 'ms', '< 200', `median of ${OPEN_RUNS} re-opens`),
      metric(
        'chat.render.open_5000_messages.host_fetch',
        median(fetches),
        'ms',
        undefined,
        'chat.get (the latest page of the 5,000) over the socket, from Node (part of the above)',
      ),
      metric('chat.render.open_5000_messages.rows_in_dom', rows, 'rows', undefined, 'virtualised: rows that exist in the page'),
      metric(
        'chat.render.token_to_screen.p50',
        percentile(delays, 50),
        'ms',
        undefined,
        `grid worker → host → browser paint, ${delays.length} tokens`,
      ),
      metric('chat.render.token_to_screen.p99', percentile(delays, 99), 'ms'),
    ]
  } finally {
    await browser?.close()
    await serve.stop()
    worker.close()
    await grid.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const m of await chatRenderBench()) process.stdout.write(`${JSON.stringify(m)}\n`)
}
