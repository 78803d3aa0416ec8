import { expect, test } from '@playwright/test'
import { READINESS_FAMILIES } from '../../src/shared/readiness.js'
import { loadModelInUi, openEarnView, servedApp } from './servedApp.js'

const app = servedApp('readiness')

test('Check grid readiness shows each family, the decode speed and the largest context that passed', async ({ page }) => {
  await app.open(page)
  await loadModelInUi(page, app)
  await openEarnView(page)
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
