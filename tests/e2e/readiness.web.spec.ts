import { expect, test } from '@playwright/test'
import { READINESS_FAMILIES } from '../../src/shared/readiness.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const temp = tempDataDir()
const token = 'e2e-readiness-token-0123456789ab'
let serve: ServeProcess

test.beforeAll(async () => {
  requireBuild()
  serve = await startServe(temp.dir, token)
})
test.afterAll(async () => {
  await serve?.stop()
  temp.cleanup()
})

test('Check grid readiness shows each family, the decode speed and the largest context that passed', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByLabel('Model').selectOption(temp.model)
  await page.getByRole('button', { name: 'Load' }).click()
  await expect(page.getByText(/stories260K\.gguf loaded/)).toBeVisible()
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  await page.getByRole('button', { name: 'Skip setup' }).click()
  await page.getByLabel('Max length').fill('64')
  await page.getByRole('button', { name: 'Save settings' }).click()

  const panel = page.getByRole('region', { name: 'Grid readiness' })
  await panel.getByRole('button', { name: 'Check grid readiness' }).click()
  const rows = panel.getByRole('table', { name: 'Readiness results' }).locator('tbody tr')
  await expect(rows).toHaveCount(READINESS_FAMILIES.length)
  await expect(panel.locator('[data-readiness="verdict"]')).toHaveText(/^stories260K\.gguf: not ready: \d+ kinds of test failed\.$/)
  await expect(panel.locator('[data-readiness="speed"]')).toHaveText(/^[\d.]+ tokens\/s$/)
  await expect(panel.locator('[data-readiness="context"]')).toHaveText('none')
  await expect(panel.locator('tr[data-family="echo"]')).toHaveAttribute('data-verdict', 'fail')
  await expect(panel.locator('tr[data-family="context.retrieve"] td').nth(1)).toHaveText('Not sent')
  await expect(panel.getByRole('button', { name: 'Check grid readiness' })).toBeEnabled()
  await panel.screenshot({ path: 'test-results/readiness-panel.png' })

  // Other limits make the report stale until it is checked again.
  await page.getByLabel('Max length').fill('48')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(panel.locator('[data-readiness="verdict"]')).toContainText('This was for another model or other settings')
})
