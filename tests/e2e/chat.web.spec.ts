import { expect, test, type Page } from '@playwright/test'
import { freePort } from '../support/freePort.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const temp = tempDataDir()
const token = 'e2e-token-0123456789abcdefghij'
let port = 0
let serve: ServeProcess

test.beforeAll(async () => {
  requireBuild()
  port = await freePort()
  serve = await startServe(temp.dir, token, port)
})
test.afterAll(async () => {
  await serve?.stop()
  temp.cleanup()
})

/** Counts how often the reply's text changes on screen, to tell streaming from a single paint. */
async function countReplyUpdates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { replyUpdates: number }
    w.replyUpdates = 0
    new MutationObserver(() => w.replyUpdates++).observe(document.querySelector('.chat-main')!, {
      subtree: true,
      characterData: true,
      childList: true,
    })
  })
}

test('load the test model, chat, and find the conversation after a reload and a server restart', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await expect(page).toHaveURL(serve.url)
  await expect(page.getByRole('status').filter({ hasText: 'No model loaded' })).toBeVisible()

  await page.getByLabel('Model').selectOption(temp.model)
  await page.getByRole('button', { name: 'Load' }).click()
  await expect(page.getByText(/stories260K\.gguf loaded · CPU, 1 thread/)).toBeVisible()

  await countReplyUpdates(page)
  const composer = page.getByLabel('Message')
  await composer.fill('Once upon a time')
  await composer.press('Enter')
  await expect(composer).toHaveValue('')

  const reply = page.locator('.message.assistant')
  await expect(page.locator('.message.user .content')).toHaveText('Once upon a time')
  await expect(reply).toHaveAttribute('data-state', 'complete')
  const text = (await reply.locator('.content').textContent()) ?? ''
  expect(text.length).toBeGreaterThan(50)
  expect(await page.evaluate(() => (window as unknown as { replyUpdates: number }).replyUpdates)).toBeGreaterThan(3)

  const conversation = page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Once upon a time' })
  await expect(conversation).toBeVisible()

  await page.reload()
  await conversation.click()
  await expect(page.locator('.message.user .content')).toHaveText('Once upon a time')
  await expect(reply.locator('.content')).toHaveText(text)

  await serve.stop()
  await expect(page.getByText(/Connection lost/)).toBeVisible()
  serve = await startServe(temp.dir, token, port)
  await expect(page.getByText(/Connection lost/)).toBeHidden()
  await page.reload()
  await conversation.click()
  await expect(page.locator('.message.user .content')).toHaveText('Once upon a time')
  await expect(reply.locator('.content')).toHaveText(text)
})

test('the page without its token explains how to get in', async ({ page }) => {
  await page.goto(serve.url)
  await expect(page.getByRole('alert')).toContainText('access link')
})

test('a bad model path is reported in plain words and the app keeps working', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByText('Another file, by its path').click()
  await page.getByLabel('GGUF file path').fill(`${temp.dir}/no-such-model.gguf`)
  await page.getByRole('button', { name: 'Open file' }).click()
  await expect(page.getByRole('alert')).toContainText('No model file at')
  await page.getByRole('button', { name: 'Once upon a time' }).click()
  await expect(page.locator('.message.user .content')).toHaveText('Once upon a time')
})
