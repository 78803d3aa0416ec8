import { expect, test } from '@playwright/test'
import { scriptedAipgWorker, type ScriptedAipgWorker } from '../support/gridChatWorkers.js'
import { earnOnDevGrid, servedApp } from './servedApp.js'

const MODEL = 'grid/render-test'
/** A reply whose text the test controls: GFM, code, hostile HTML and links. */
const REPLY = [
  'Here are the results:',
  '',
  '| Fruit | Count |',
  '| ----- | ----: |',
  '| Apple | 3 |',
  '| Pear | 5 |',
  '',
  '- [x] washed',
  '- [ ] peeled',
  '',
  '```python',
  'def greet(name):',
  '    return f"hi {name}"',
  '```',
  '',
  'Raw HTML stays text: <script>window.pwned = 1</script> and <img src=x onerror="window.pwned = 2">',
  '',
  'Links: [docs](https://example.com/docs) and [trap](javascript:window.pwned=3)',
].join('\n')

let worker: ScriptedAipgWorker
const app = servedApp('render', {
  grid: { mode: 'aipg' },
  setUp: async () => {
    worker = await scriptedAipgWorker(app.grid, { model: MODEL, reply: REPLY, tokenDelayMs: 3 })
    const client = await app.client()
    await earnOnDevGrid(client, app.grid, { workerName: 'render-rig', maxLength: 256, maxContextLength: 2048 })
    client.close()
  },
  tearDown: () => worker?.close(),
})

test('a grid reply renders as safe Markdown, after a one-time notice that community workers will read it', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.serve.url })
  const cspViolations: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
  })
  await app.open(page)
  await page.getByLabel('Replies from').selectOption('aipg')
  // The grid's list arrives and its first entry (AIPG's virtual "any model") is the default choice.
  await expect(page.getByLabel('Grid model')).toHaveValue('auto')
  await page.getByLabel('Grid model').fill(MODEL)

  const composer = page.getByLabel('Message')
  await composer.fill('Show me a table')
  await composer.press('Enter')
  const notice = page.getByRole('alertdialog')
  await expect(notice).toContainText('community workers')
  await notice.getByRole('button', { name: 'Cancel' }).click()
  await expect(notice).toBeHidden()
  await expect(composer).toHaveValue('Show me a table')
  await expect(page.locator('.message')).toHaveCount(0)

  await composer.press('Enter')
  await notice.getByRole('button', { name: 'Send to the AIPG grid' }).click()
  await expect(composer).toHaveValue('')
  const reply = page.locator('.message.assistant')
  await expect(reply).toHaveAttribute('data-state', 'complete')
  await expect(reply.locator('header')).toHaveText(`AIPG grid · ${MODEL}`)

  const table = reply.getByRole('table')
  await expect(table.getByRole('columnheader')).toHaveText(['Fruit', 'Count'])
  await expect(table.getByRole('row').nth(2).getByRole('cell')).toHaveText(['Pear', '5'])
  await expect(reply.getByRole('checkbox')).toHaveCount(2)
  await expect(reply.getByRole('checkbox').first()).toBeChecked()

  const code = reply.locator('pre code')
  await expect(code).toHaveText('def greet(name):\n    return f"hi {name}"\n')
  await expect(code.locator('.hljs-keyword').first()).toHaveText('def')
  await reply.getByRole('button', { name: 'Copy code' }).click()
  await expect(reply.getByRole('button', { name: 'Copy code' })).toHaveText('Copied')
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('def greet(name):\n    return f"hi {name}"\n')

  await expect(reply).toContainText('<script>window.pwned = 1</script>')
  await expect(reply).toContainText('<img src=x onerror="window.pwned = 2">')
  expect(await reply.locator('script, img, iframe').count()).toBe(0)
  const docs = reply.getByRole('link', { name: 'docs' })
  await expect(docs).toHaveAttribute('href', 'https://example.com/docs')
  await expect(docs).toHaveAttribute('target', '_blank')
  await expect(docs).toHaveAttribute('rel', /noreferrer/)
  await expect(reply.getByRole('link', { name: 'trap' })).toHaveCount(0)
  await expect(reply).toContainText('trap')
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined()

  // The same conversation goes to the grid again without asking.
  await composer.fill('And again')
  await composer.press('Enter')
  await expect(page.locator('.message.assistant')).toHaveCount(2)
  await expect(notice).toBeHidden()
  await expect(page.locator('.message.assistant').nth(1)).toHaveAttribute('data-state', 'complete')
  expect(worker.requests.at(-1)?.messages).toHaveLength(3)

  // Scrolled up, the list stays put while a reply streams in, and offers a way back to the latest message.
  const jump = page.getByRole('button', { name: /Jump to latest/ })
  await expect(jump).toBeHidden()
  await page.locator('.messages').evaluate((element) => element.scrollTo({ top: 0 }))
  await expect(jump).toBeVisible()
  await composer.fill('Once more')
  await composer.press('Enter')
  await expect(page.locator('.message.user').first()).toBeInViewport()
  await expect(jump).toBeVisible()
  await jump.click()
  await expect(jump).toBeHidden()
  const last = page.locator('.message.assistant').last()
  await expect(last).toHaveAttribute('data-state', 'complete')
  await expect(last).toBeInViewport()
  await expect(page.locator('.message.user').last()).toHaveText(/Once more/)

  // The highlighting theme and the virtual list's positioning live within the strict CSP.
  expect(cspViolations).toEqual([])
})

test('stop mid-reply keeps the words so far, marked stopped, and nothing more arrives', async ({ page }) => {
  const slow = await scriptedAipgWorker(app.grid, {
    model: 'grid/slow-test',
    name: 'slow-worker',
    reply: 'word '.repeat(400),
    tokenDelayMs: 100,
  })
  try {
    await app.open(page)
    await page.getByRole('button', { name: 'New chat' }).click()
    await page.getByLabel('Replies from').selectOption('aipg')
    await page.getByLabel('Grid model').fill('grid/slow-test')
    await page.getByLabel('Message').fill('Tell me a long story')
    await page.getByLabel('Message').press('Enter')
    await page.getByRole('alertdialog').getByRole('button', { name: 'Send to the AIPG grid' }).click()
    const reply = page.locator('.message.assistant').last()
    await expect(reply.locator('.content')).toContainText('word word')
    await expect(reply).toHaveAttribute('data-state', 'streaming')
    await page.getByRole('button', { name: 'Stop' }).click()
    await expect(reply).toHaveAttribute('data-state', 'stopped')
    const kept = (await reply.locator('.content').textContent()) ?? ''
    expect(kept.length).toBeGreaterThan(5)
    await page.waitForTimeout(500)
    expect((await reply.locator('.content').textContent()) ?? '').toBe(kept)
    await page.reload()
    await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Tell me a long story' }).click()
    await expect(page.locator('.message.assistant').last()).toHaveAttribute('data-state', 'stopped')
  } finally {
    slow.close()
  }
})

test('a reply with thinking shows it folded under "Thought for … s", unfolding to safe text, apart from the answer', async ({ page }) => {
  const thinker = await scriptedAipgWorker(app.grid, {
    model: 'grid/thinking-test',
    name: 'thinking-worker',
    thinking: 'Let me think <b onclick="window.pwned = 4">hard</b> about *this* first.',
    reply: 'The answer is 42.',
    tokenDelayMs: 3,
  })
  try {
    await app.open(page)
    await page.getByRole('button', { name: 'New chat' }).click()
    await page.getByLabel('Replies from').selectOption('aipg')
    await page.getByLabel('Grid model').fill('grid/thinking-test')
    await page.getByLabel('Message').fill('What is the answer?')
    await page.getByLabel('Message').press('Enter')
    await page.getByRole('alertdialog').getByRole('button', { name: 'Send to the AIPG grid' }).click()
    const reply = page.locator('.message.assistant').last()
    await expect(reply).toHaveAttribute('data-state', 'complete')
    await expect(reply.locator(':scope > .content')).toHaveText('The answer is 42.')

    const fold = reply.locator('details.reasoning')
    await expect(fold.locator('summary')).toHaveText(/^Thought for \d+ s$/)
    await expect(fold.getByText('Let me think')).toBeHidden()
    await fold.locator('summary').click()
    await expect(fold).toContainText('Let me think <b onclick="window.pwned = 4">hard</b> about this first.')
    await expect(fold.locator('em')).toHaveText('this')
    expect(await fold.locator('b').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined()

    // Stored with the reply: still there, folded, after a reload.
    await page.reload()
    await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'What is the answer?' }).click()
    const again = page.locator('.message.assistant').last().locator('details.reasoning')
    await expect(again.locator('summary')).toHaveText(/^Thought for \d+ s$/)
    await expect(again).not.toHaveAttribute('open', /.*/)
  } finally {
    thinker.close()
  }
})
