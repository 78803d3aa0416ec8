import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const MESSAGES = 1000
const TITLE = 'A very long chat'
const temp = tempDataDir()
const token = 'e2e-paging-token-0123456789abcdef'
let serve: ServeProcess

/** A conversation longer than one page, written to the store before the host starts. */
function seed(): void {
  const db = openDatabase(join(temp.dir, 'gridforge.db'))
  const repo = new ChatRepository(db)
  db.transaction(() => {
    const conversation = repo.createConversation(TITLE)
    let parentId: string | null = null
    for (let i = 0; i < MESSAGES; i++) {
      parentId = repo.appendMessage({
        conversationId: conversation.id,
        parentId,
        role: i % 2 ? 'assistant' : 'user',
        content: `Message number ${i}.`,
        state: 'complete',
        model: i % 2 ? 'seed.gguf' : null,
      }).id
    }
  })()
  db.close()
}

test.beforeAll(async () => {
  requireBuild()
  seed()
  serve = await startServe(temp.dir, token)
})
test.afterAll(async () => {
  await serve?.stop()
  temp.cleanup()
})

test('scrolling to the top of a long conversation loads earlier messages, keeping the one on screen in place', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('button', { name: TITLE }).click()
  const list = page.getByRole('log')
  await expect(list.getByText(`Message number ${MESSAGES - 1}.`, { exact: true })).toBeVisible()

  // Scroll to the top of what is loaded; the page before it is fetched and prepended.
  await list.evaluate((element) => (element.scrollTop = 0))
  await expect(list.getByText(`Message number ${MESSAGES - 201}.`, { exact: true })).toBeAttached()
  // The message that was at the top is still on screen, not pushed away by the messages put above it.
  await expect(list.getByText(`Message number ${MESSAGES - 200}.`, { exact: true })).toBeInViewport()

  for (let i = 0; i < 10; i++) {
    if (await list.getByText('Message number 0.', { exact: true }).count()) break
    await list.evaluate((element) => (element.scrollTop = 0))
    await page.waitForTimeout(300)
  }
  await expect(list.getByText('Message number 0.', { exact: true })).toBeVisible()
  await expect(list.getByText('Message number 1.', { exact: true })).toBeVisible()

  // Jump to latest still goes to the end of the conversation.
  await page.getByRole('button', { name: '↓ Jump to latest' }).click()
  await expect(list.getByText(`Message number ${MESSAGES - 1}.`, { exact: true })).toBeVisible()
})
