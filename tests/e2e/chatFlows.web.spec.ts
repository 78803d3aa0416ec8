import { readFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { freePort } from '../support/freePort.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const temp = tempDataDir()
const token = 'e2e-token-chatflows-0123456789'
let serve: ServeProcess

test.describe.configure({ mode: 'serial' })
test.beforeAll(async () => {
  requireBuild()
  serve = await startServe(temp.dir, token, await freePort())
})
test.afterAll(async () => {
  await serve?.stop()
  temp.cleanup()
})

async function openWithModel(page: Page): Promise<void> {
  await page.goto(`${serve.url}#token=${token}`)
  const status = page.getByRole('status').filter({ hasText: /loaded ·|No model loaded/ })
  await expect(status).toBeVisible()
  if (await page.getByText(/stories260K\.gguf loaded/).isHidden()) {
    await page.getByLabel('Model').selectOption(temp.model)
    await page.getByRole('button', { name: 'Load' }).click()
    await expect(page.getByText(/stories260K\.gguf loaded/)).toBeVisible()
  }
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text)
  await page.getByLabel('Message').press('Enter')
  await expect(page.locator('.message.assistant').last()).toHaveAttribute('data-state', 'complete')
}

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Conversations' })

test('regenerate keeps versions to browse; editing a message starts a branch and keeps the old one', async ({ page }) => {
  await openWithModel(page)
  await send(page, 'Once upon a time a dragon')
  const reply = page.locator('.message.assistant').last()
  const first = (await reply.locator('.content').textContent()) ?? ''

  await reply.getByRole('button', { name: 'Regenerate' }).click()
  await expect(reply.locator('.version-count')).toHaveText('2/2')
  await expect(reply).toHaveAttribute('data-state', 'complete')
  await reply.getByRole('button', { name: 'Previous version' }).click()
  await expect(reply.locator('.version-count')).toHaveText('1/2')
  await expect(reply.locator('.content')).toHaveText(first)
  await reply.getByRole('button', { name: 'Next version' }).click()
  await expect(reply.locator('.version-count')).toHaveText('2/2')

  const mine = page.locator('.message.user').first()
  await mine.getByRole('button', { name: 'Edit' }).click()
  await page.getByLabel('Edited text').fill('Once upon a time a cat')
  await page.getByRole('button', { name: 'Send edit' }).click()
  await expect(mine.locator('.content')).toHaveText('Once upon a time a cat')
  await expect(mine.locator('.version-count')).toHaveText('2/2')
  await expect(page.locator('.message.assistant').last()).toHaveAttribute('data-state', 'complete')
  await mine.getByRole('button', { name: 'Previous version' }).click()
  await expect(mine.locator('.content')).toHaveText('Once upon a time a dragon')
  await expect(page.locator('.message.assistant').last().locator('.version-count')).toHaveText(/\/2/)
})

test('rename, search, delete with undo', async ({ page }) => {
  await openWithModel(page)
  await page.getByRole('button', { name: 'New chat' }).click()
  await send(page, 'A story about a purple zeppelin')
  await sidebar(page).getByRole('button', { name: 'A story about a purple zeppelin' }).hover()
  await sidebar(page).getByRole('button', { name: 'Rename A story about a purple zeppelin' }).click()
  await page.getByLabel('Conversation title').fill('Airship tales')
  await page.getByLabel('Conversation title').press('Enter')
  await expect(sidebar(page).getByRole('button', { name: 'Airship tales', exact: true })).toBeVisible()

  await page.getByLabel('Search chats').fill('zeppel')
  const results = page.getByRole('list', { name: 'Search results' })
  await expect(results.locator('mark').first()).toHaveText(/zeppelin/i)
  await page.getByRole('button', { name: 'New chat' }).click()
  await results.getByRole('button').first().click()
  await expect(page.locator('.message.user .content').first()).toHaveText('A story about a purple zeppelin')
  // FTS syntax typed by the user is searched as plain words, never an error.
  await page.getByLabel('Search chats').fill('"qqzx AND (')
  await expect(results.getByText('No matches')).toBeVisible()
  await expect(page.getByRole('alert')).toBeHidden()
  await page.getByLabel('Search chats').fill('')

  await sidebar(page).getByRole('button', { name: 'Airship tales', exact: true }).hover()
  await sidebar(page).getByRole('button', { name: 'Delete Airship tales' }).click()
  await expect(sidebar(page).getByRole('button', { name: 'Airship tales', exact: true })).toBeHidden()
  await page.getByRole('button', { name: 'Undo' }).click()
  await expect(sidebar(page).getByRole('button', { name: 'Airship tales', exact: true })).toBeVisible()
})

test('export all as JSON, then import it back: the conversations return with their versions', async ({ page }) => {
  await openWithModel(page)
  const before = await sidebar(page).locator('li').count()
  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export all' }).click()
  const file = await (await download).path()
  const text = readFileSync(file, 'utf8')
  expect(JSON.parse(text)).toMatchObject({ format: 'gridforge-chat', version: 2 })

  await page.getByLabel('Import chats file').setInputFiles({ name: 'chats.json', mimeType: 'application/json', buffer: Buffer.from(text) })
  await expect(page.getByText(`Imported ${before} conversations.`)).toBeVisible()
  await expect(sidebar(page).locator('li')).toHaveCount(before * 2)
  await sidebar(page).getByRole('button', { name: 'Once upon a time a dragon' }).first().click()
  await expect(page.locator('.message.user').first().locator('.version-count')).toHaveText(/\/2/)
})
