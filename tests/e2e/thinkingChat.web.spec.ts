import { expect, test } from '@playwright/test'
import { freePort } from '../support/freePort.js'
import { scriptedModel } from '../support/gguf/scriptedModels.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

/**
 * Local chat on a model that thinks by itself (the scripted Qwen3 model: `<think>` "Let me think."
 * `</think>` "The answer is 42!"), in the browser against `gridforge serve` and its real engine.
 */
const temp = tempDataDir()
const token = 'e2e-think-token-0123456789abcdef'
let serve: ServeProcess
let model: string

test.beforeAll(async () => {
  requireBuild()
  model = scriptedModel('thinker')
  serve = await startServe(temp.dir, token, await freePort())
})
test.afterAll(async () => {
  await serve?.stop()
  temp.cleanup()
})

test('a local reply with thinking shows the answer, its thinking folded, and keeps both folded after a reload', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  // The scripted model lives in the test-model cache, outside the data folder's models: opened by its path.
  await page.getByText('Another file, by its path').click()
  await page.getByLabel('GGUF file path').fill(model)
  await page.getByRole('button', { name: 'Open file' }).click()
  await expect(page.getByText(/scripted-thinker-\w+\.gguf loaded/)).toBeVisible()

  await page.getByLabel('Message').fill('What is six times seven?')
  await page.getByLabel('Message').press('Enter')
  const reply = page.locator('.message.assistant').last()
  await expect(reply).toHaveAttribute('data-state', 'complete')
  await expect(reply.locator(':scope > .content')).toHaveText('The answer is 42!')

  const fold = reply.locator('details.reasoning')
  await expect(fold.locator('summary')).toHaveText(/^Thought for \d+ s$/)
  await expect(fold.getByText('Let me think.')).toBeHidden()
  await fold.locator('summary').click()
  await expect(fold).toContainText('Let me think.')
  await expect(reply.locator(':scope > .content')).not.toContainText('think')

  await page.reload()
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'What is six times seven?' }).click()
  const again = page.locator('.message.assistant').last()
  await expect(again.locator(':scope > .content')).toHaveText('The answer is 42!')
  await expect(again.locator('details.reasoning summary')).toHaveText(/^Thought for \d+ s$/)
  await expect(again.locator('details.reasoning')).not.toHaveAttribute('open', /.*/)
})
