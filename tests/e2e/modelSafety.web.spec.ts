import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { servedApp } from './servedApp.js'

const app = servedApp('model-safety')
const { temp } = app

test('a mistyped path or a wrong file never costs the loaded model, and says what was wrong', async ({ page }) => {
  writeFileSync(join(temp.dir, 'notes.gguf'), 'hello, I am a text file and not a model\n'.repeat(4))
  mkdirSync(join(temp.dir, 'a-folder.gguf'))
  await app.open(page)

  // The registered model is listed by name with its size and fit, and loads from the list.
  const picker = page.getByLabel('Model')
  await expect(picker.locator('option:checked')).toHaveText(/^stories260K.* · 1\.2 MB, runs on cpu$/)
  await page.getByRole('button', { name: 'Load', exact: true }).click()
  const loaded = page.getByRole('status').filter({ hasText: /stories260K\.gguf loaded · CPU/ })
  await expect(loaded).toBeVisible()

  await page.getByText('Another file, by its path').click()
  const path = page.getByLabel('GGUF file path')
  const cases: Array<[string, RegExp]> = [
    [join(temp.dir, 'no-such-model.gguf'), /^No model file at .*no-such-model\.gguf; check the path\.$/],
    [join(temp.dir, 'notes.gguf'), /^notes\.gguf is not a valid GGUF model file: it does not start with the GGUF signature\.$/],
    [join(temp.dir, 'a-folder.gguf'), /a-folder\.gguf is a folder; choose the \.gguf file inside it\.$/],
  ]
  for (const [file, sentence] of cases) {
    await path.fill(file)
    await page.getByRole('button', { name: 'Open file' }).click()
    await expect(page.getByRole('alert')).toHaveText(sentence)
    await expect(loaded).toBeVisible()
  }

  // Still loaded, and still answering.
  const composer = page.getByLabel('Message')
  await composer.fill('Once upon a time')
  await composer.press('Enter')
  await expect(page.locator('.message.assistant')).toHaveAttribute('data-state', 'complete')
})
