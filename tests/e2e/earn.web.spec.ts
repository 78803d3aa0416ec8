import { expect, test } from '@playwright/test'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const temp = tempDataDir()
const token = 'e2e-earn-token-0123456789abcdef'
let serve: ServeProcess
let grid: DevGrid

test.beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({ mode: 'aipg' })
  serve = await startServe(temp.dir, token)
})
test.afterAll(async () => {
  await serve?.stop()
  await grid?.close()
  temp.cleanup()
})

test('earn from the UI: key, settings, start, jobs in the log and the stats, stop', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByLabel('Model').selectOption(temp.model)
  await page.getByRole('button', { name: 'Load' }).click()
  await expect(page.getByText(/stories260K\.gguf loaded/)).toBeVisible()

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  // A fresh data folder opens the first-run setup; this test sets the miner up by hand instead.
  await page.getByRole('button', { name: 'Skip setup' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()
  await page.getByLabel('API key').fill('wrong-key-123')
  await page.getByLabel('Worker name').fill('e2e-rig')
  await page.getByLabel('Grid URL').fill(grid.url)
  await page.getByLabel('Max context').fill('1024')
  await page.getByRole('button', { name: 'Save settings' }).click()
  // The grid is asked before the key is kept: a wrong one is refused in words, and nothing is saved.
  await expect(page.getByRole('alert')).toContainText('does not recognise this API key')
  await expect(page.getByLabel('API key')).toHaveAttribute('placeholder', 'paste your key')
  await page.getByLabel('API key').fill('dev-key-alice')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByLabel('API key')).toHaveAttribute('placeholder', 'saved (…lice)')
  await expect(page.getByLabel('API key')).toHaveValue('')
  await expect(page.getByRole('alert')).toHaveCount(0)

  for (let i = 0; i < 2; i++) grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 40 } })
  await page.getByRole('button', { name: 'Start earning' }).click()
  await expect(page.locator('[data-stat="jobs"]')).toHaveText('2')
  await expect(page.getByRole('region', { name: 'Job log' }).locator('tbody tr[data-state="ok"]')).toHaveCount(2)
  await expect(page.locator('[data-stat="rewards"]')).not.toHaveText('0.00')
  const chart = page.getByRole('region', { name: 'Earnings chart' })
  await expect(chart.getByTestId('chart-summary')).toContainText('2 jobs')
  await expect(chart.locator('.recharts-bar-rectangle path, .recharts-bar-rectangle rect').first()).toBeVisible()
  await chart.getByRole('button', { name: '7 d' }).click()
  await expect(chart.getByTestId('chart-summary')).toHaveText(/^2 jobs, [\d.]+ den in the last 7 days$/)
  expect(grid.aipg.registrations.at(-1)).toMatchObject({ name: 'e2e-rig' })
  await expect(page.locator('body')).not.toContainText('dev-key-alice')

  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()
  // The grid's own count for the account, fetched after the stop.
  await page.getByRole('region', { name: 'Account totals' }).getByRole('button', { name: 'Refresh' }).click()
  await expect(page.locator('[data-account="jobs"]')).toHaveText('2')
})

// Uses the model and the key the test above loaded and saved (tests in a file run in order, one worker).
test('a schedule that excludes now pauses the miner and says when it resumes', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  const form = page.getByRole('form', { name: 'When to mine' })
  await form.getByLabel('Mine only inside a schedule').check()
  // A one-hour window two hours from now, every day: now is outside it.
  const start = (new Date().getHours() + 2) % 24
  const window = form.getByRole('group', { name: 'Window 1' })
  await window.getByLabel('From').selectOption(String(start))
  await window.getByLabel('To').selectOption(String(start + 1))
  await form.getByRole('button', { name: 'Save policies' }).click()
  await expect(form.getByRole('status')).toHaveText(/Saved/)

  await page.getByRole('button', { name: 'Start earning' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Paused by schedule' })).toContainText(`:00)`)
  await expect(page.locator('[data-earn-state="paused"]')).toContainText(`${String(start).padStart(2, '0')}:00`)
  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()
  await form.getByLabel('Mine only inside a schedule').uncheck()
  await form.getByRole('button', { name: 'Save policies' }).click()
})

test('turn on the local API in Settings and call it with the token shown there', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click()
  const port = 20000 + Math.floor(Math.random() * 20000)
  await page.getByLabel('Port', { exact: true }).fill(String(port))
  await page.getByLabel('Enable the local API').click()
  await expect(page.getByLabel('Enable the local API')).toBeChecked()
  await expect(page.getByTestId('api-token')).toBeVisible()
  const apiToken = (await page.getByTestId('api-token').textContent()) ?? ''
  expect(apiToken).toMatch(/^gf-/)
  const models = await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { Authorization: `Bearer ${apiToken}` } })
  expect(models.status).toBe(200)
  expect((await fetch(`http://127.0.0.1:${port}/v1/models`)).status).toBe(401)
  await page.getByRole('button', { name: 'Regenerate' }).click()
  await expect(page.getByTestId('api-token')).not.toHaveText(apiToken)
  expect((await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { Authorization: `Bearer ${apiToken}` } })).status).toBe(401)
  await page.getByLabel('Enable the local API').click()
  await expect(page.getByLabel('Enable the local API')).not.toBeChecked()
})
