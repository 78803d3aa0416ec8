import { expect, test, type Page } from '@playwright/test'
import { horizontalOverflow, landmarkCounts, seriousAxeViolations } from './a11yChecks.js'
import { scriptedAipgWorker, type ScriptedAipgWorker } from '../support/gridChatWorkers.js'
import { earnOnDevGrid, servedApp } from './servedApp.js'

const MODEL = 'grid/a11y-test'
const SLOW_MODEL = 'grid/a11y-slow'
/** A reply with what Markdown can put in front of a screen reader: a task list, a table, code, a long link. */
const REPLY = [
  'Checklist:',
  '',
  '- [x] washed',
  '- [ ] peeled',
  '',
  '| Fruit | Count |',
  '| ----- | ----: |',
  '| Apple | 3 |',
  '',
  '```js',
  `const aVeryLongLineThatMustScrollInsideItsBlockAndNeverWidenThePage = ${'1 + '.repeat(40)}1`,
  '```',
  '',
  'See [the docs](https://example.com/a/very/long/path/that/keeps/going/and/going/and/going/and/going).',
].join('\n')

let workers: ScriptedAipgWorker[] = []
const app = servedApp('a11y', {
  grid: { mode: 'aipg' },
  setUp: async () => {
    workers = [
      await scriptedAipgWorker(app.grid, { model: MODEL, reply: REPLY, tokenDelayMs: 2 }),
      await scriptedAipgWorker(app.grid, { model: SLOW_MODEL, name: 'slow-worker', reply: 'word '.repeat(400), tokenDelayMs: 100 }),
    ]
    const client = await app.client()
    await earnOnDevGrid(client, app.grid, { workerName: 'a11y-rig', maxLength: 64, maxContextLength: 1024 })
    await client.value('engine.load', { path: app.temp.model })
    client.close()
  },
  tearDown: () => workers.forEach((worker) => worker.close()),
})

async function open(page: Page): Promise<void> {
  await app.open(page)
  await expect(page.getByText(/stories260K\.gguf loaded/)).toBeVisible()
}

async function showView(page: Page, name: 'Chat' | 'Models' | 'Earn' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name }).click()
}

/** Sends a message to a grid model the way a user does; a new conversation then asks before it leaves the PC. */
async function askGrid(page: Page, model: string, text: string): Promise<void> {
  await page.getByLabel('Replies from').selectOption('aipg')
  await page.getByLabel('Grid model').fill(model)
  await page.getByLabel('Message').fill(text)
  await page.getByLabel('Message').press('Enter')
}

/** The same view checked in both colour schemes: one h1, one main landmark, no serious or critical axe finding. */
async function expectAccessible(page: Page, view: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    expect(await landmarkCounts(page), `${view} (${colorScheme})`).toEqual({ h1: 1, main: 1 })
    expect(await seriousAxeViolations(page), `${view} (${colorScheme})`).toEqual([])
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

test('every view, empty and populated, passes axe-core with no serious or critical finding, light and dark', async ({ page }) => {
  await open(page)
  await expectAccessible(page, 'empty chat')

  await askGrid(page, MODEL, 'Give me a checklist')
  await page.getByRole('alertdialog').getByRole('button', { name: 'Send to the AIPG grid' }).click()
  const reply = page.locator('.message.assistant')
  await expect(reply).toHaveAttribute('data-state', 'complete')
  await expect(reply.getByRole('checkbox')).toHaveCount(2)
  await expectAccessible(page, 'chat with a Markdown reply')

  await showView(page, 'Models')
  await expect(page.getByRole('region', { name: 'Models' })).toBeVisible()
  await expectAccessible(page, 'Models')

  await showView(page, 'Earn')
  await page.getByRole('button', { name: 'Start earning' }).click()
  await expect(page.getByRole('button', { name: 'Stop earning' })).toBeVisible()
  await expect(page.getByRole('status').filter({ hasText: 'Waiting for jobs' })).toBeVisible()
  await expectAccessible(page, 'Earn, running')

  await showView(page, 'Settings')
  await expectAccessible(page, 'Settings')
})

test('at 420 px nothing sticks out of the window in any view, light or dark; long code scrolls inside its block', async ({ page }) => {
  await page.setViewportSize({ width: 420, height: 860 })
  await app.open(page)
  // One compact line above the chat: the model and the reply source fold behind its settings button.
  const header = page.locator('.chat-header')
  await expect(header).toContainText('stories260K.gguf')
  await expect(page.getByLabel('Replies from')).toBeHidden()
  await header.getByRole('button', { name: 'Chat options' }).click()
  await expect(page.getByText(/stories260K\.gguf loaded/)).toBeVisible()
  await askGrid(page, MODEL, 'A narrow checklist')
  await page.getByRole('alertdialog').getByRole('button', { name: 'Send to the AIPG grid' }).click()
  await expect(page.locator('.message.assistant')).toHaveAttribute('data-state', 'complete')
  // The new conversation took the screen: the options folded away again by themselves.
  await expect(page.getByLabel('Replies from')).toBeHidden()
  await expect(header).toContainText('A narrow checklist')
  // The header says where replies come from, since the picker that chose it is folded away.
  await expect(header).toContainText(`AIPG grid · ${MODEL}`)
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await showView(page, 'Chat')
    expect(await horizontalOverflow(page), `chat (${colorScheme})`).toEqual([])
    // The message box stays on screen below a long conversation, and the messages keep most of the height.
    await expect(page.getByLabel('Message')).toBeInViewport({ ratio: 1 })
    const list = await page.locator('.messages').boundingBox()
    expect(list!.height / 860, `message list share of the height (${colorScheme})`).toBeGreaterThanOrEqual(0.6)
    await page.getByRole('button', { name: 'New chat' }).click()
    expect(await horizontalOverflow(page), `empty chat (${colorScheme})`).toEqual([])
    for (const view of ['Models', 'Earn', 'Settings'] as const) {
      await showView(page, view)
      await expect(page.getByRole('region', { name: view, exact: true })).toBeVisible()
      expect(await horizontalOverflow(page), `${view} (${colorScheme})`).toEqual([])
    }
  }
  // At this width the earn switch is still on screen without scrolling, and the long code line scrolls in its own block.
  await showView(page, 'Earn')
  await expect(page.getByRole('button', { name: /^(Start|Stop) earning$/ })).toBeInViewport()
  await showView(page, 'Chat')
  await header.getByRole('button', { name: 'Conversations' }).click()
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'A narrow checklist' }).click()
  // Opening a conversation closes the list again; Ctrl+K opens it to search.
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeHidden()
  await page.keyboard.press('Control+K')
  await expect(page.getByLabel('Search chats')).toBeFocused()
  await page.keyboard.press('Escape')
  await header.getByRole('button', { name: 'Conversations' }).click()
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeHidden()
  // Each finished reply says how fast it was written and why it ended, also after a reload.
  await expect(page.locator('.message.assistant .reply-stats')).toHaveText(/^\d+\.\d tokens\/s · \d+ tokens · finished$/)
  const code = page.locator('.message.assistant pre')
  expect(await code.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true)
})

test('the keyboard: skip link, shortcuts, focus after Send, Regenerate and New chat, Esc stops from anywhere, the edit box', async ({
  page,
}) => {
  await open(page)
  const composer = page.getByLabel('Message')
  // From the top of the page (where a reader starts), the first Tab reaches the skip link, past the view bar.
  await page.evaluate(() => {
    document.body.tabIndex = -1
    document.body.focus()
    document.body.removeAttribute('tabindex')
  })
  await page.keyboard.press('Tab')
  const skip = page.getByRole('link', { name: 'Skip to main content' })
  await expect(skip).toBeFocused()
  await expect(skip).toBeInViewport()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('main')).toBeFocused()
  expect(page.url()).not.toContain('#main')

  await page.keyboard.press('Control+K')
  await expect(page.getByLabel('Search chats')).toBeFocused()
  await showView(page, 'Settings')
  await page.keyboard.press('/')
  await expect(composer).toBeFocused()
  await expect(composer).toHaveValue('')

  // Esc stops the reply while focus is in the conversation list, not only in the message box.
  await askGrid(page, SLOW_MODEL, 'Tell me a long story')
  await page.getByRole('alertdialog').getByRole('button', { name: 'Send to the AIPG grid' }).click()
  const streaming = page.locator('.message.assistant').last()
  await expect(streaming).toHaveAttribute('data-state', 'streaming')
  await expect(streaming.locator('.content')).toContainText('word word')
  await page.getByLabel('Search chats').focus()
  await page.keyboard.press('Escape')
  await expect(streaming).toHaveAttribute('data-state', 'stopped')
  await expect(streaming.locator('.reply-stats')).toHaveText(/ · stopped$/)

  // Regenerate puts the cursor back in the message box, where Esc stops the new reply.
  await page.getByRole('button', { name: 'Regenerate' }).click()
  await expect(composer).toBeFocused()
  await expect(page.locator('.message.assistant').last()).toHaveAttribute('data-state', 'streaming')
  await page.keyboard.press('Escape')
  await expect(page.locator('.message.assistant').last()).toHaveAttribute('data-state', 'stopped')

  // The edit box: Esc cancels and gives focus back to Edit; Enter sends, Shift+Enter adds a line.
  const mine = page.locator('.message.user').last()
  await mine.getByRole('button', { name: 'Edit' }).click()
  const editor = page.getByLabel('Edited text')
  await expect(editor).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(editor).toBeHidden()
  await expect(mine.getByRole('button', { name: 'Edit' })).toBeFocused()
  await mine.getByRole('button', { name: 'Edit' }).click()
  await editor.fill('Tell me a short story')
  await editor.press('Shift+Enter')
  await editor.pressSequentially('please')
  await expect(editor).toHaveValue('Tell me a short story\nplease')
  await editor.press('Enter')
  await expect(editor).toBeHidden()
  await expect(page.locator('.message.user').last()).toContainText('Tell me a short story\nplease')
  await expect(composer).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(page.locator('.message.assistant').last()).toHaveAttribute('data-state', 'stopped')

  // New chat (button or Ctrl+Shift+O) lands in the new chat's message box; clicking Send keeps the cursor there.
  await page.getByRole('button', { name: 'New chat' }).click()
  await expect(composer).toBeFocused()
  await showView(page, 'Models')
  await page.keyboard.press('Control+Shift+O')
  await expect(composer).toBeFocused()
  await page.getByLabel('Grid model').fill(MODEL)
  await composer.fill('A second checklist')
  await page.getByRole('button', { name: 'Send' }).click()
  await page.getByRole('alertdialog').getByRole('button', { name: 'Send to the AIPG grid' }).click()
  await expect(page.locator('.message.assistant').last()).toHaveAttribute('data-state', 'complete')
  await expect(composer).toBeFocused()
})
