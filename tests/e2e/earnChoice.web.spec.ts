import { createServer, type Server } from 'node:net'
import { expect, test } from '@playwright/test'
import { openEarnView, servedApp } from './servedApp.js'

let taken: Server
const app = servedApp('earn-choice', {
  grid: { mode: 'aipg' },
  setUp: async () => {
    taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  },
  tearDown: () => void taken?.close(),
})

test('Start earning mines the local model chosen in the Earn view, with no download, and the card never says Not earning meanwhile', async ({
  page,
}) => {
  await app.open(page)
  await openEarnView(page)

  const settings = page.getByRole('form', { name: 'Miner settings' })
  await settings.getByLabel('API key').fill('wrong-key-123')
  await settings.getByLabel('Worker name').fill('choice-rig')
  await settings.getByLabel('Grid URL').fill(app.grid.url)
  await settings.getByLabel('Max context').fill('1024')
  await settings.getByRole('button', { name: 'Save settings' }).click()
  // Feedback beside the button: the refusal there, and only there.
  await expect(settings.getByRole('alert')).toContainText('does not recognise this API key')
  await expect(page.getByRole('alert')).toHaveCount(1)
  await settings.getByLabel('API key').fill('dev-key-alice')
  await settings.getByRole('button', { name: 'Save settings' }).click()
  await expect(settings.getByRole('status').filter({ hasText: 'Settings saved; the grid accepted the key.' })).toBeVisible()
  await expect(settings).toContainText('private file')

  // Nothing is loaded: the model on this PC is offered before the catalog, and chosen.
  const modelSelect = page.getByLabel('Model to mine')
  await expect(modelSelect.locator('option:checked')).toHaveText(/stories260K\.gguf \(.*on this PC\)/)
  await expect(modelSelect.locator('optgroup').first()).toHaveAttribute('label', 'On this PC')
  await expect(page.getByLabel('Grid to mine on')).toHaveValue('aipg')
  await expect(page.getByTestId('earn-mining')).toHaveText(`Will mine stories260K.gguf on AIPG grid (${app.grid.url}) as choice-rig`)

  // Every state the top card shows from the press on.
  await page.evaluate(() => {
    const seen: string[] = []
    ;(window as unknown as { seenStates: string[] }).seenStates = seen
    const card = document.querySelector('[data-earn-state]')!
    seen.push(card.getAttribute('data-earn-state')!)
    new MutationObserver(() => seen.push(card.getAttribute('data-earn-state')!)).observe(card, { attributes: true })
  })
  app.grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24 } })
  await page.getByRole('button', { name: 'Start earning' }).click()
  const progress = page.getByRole('region', { name: 'Start earning progress' })
  await expect(progress.locator('[data-step="download"]')).toHaveAttribute('data-state', 'skipped')
  await expect(progress.locator('[data-step="first-job"]')).toHaveAttribute('data-state', 'done', { timeout: 30_000 })
  await expect(page.locator('[data-stat="jobs"]')).toHaveText('1')
  await expect(page.getByTestId('earn-mining')).toHaveText(`Mining stories260K.gguf on AIPG grid (${app.grid.url}) as choice-rig`)
  const seen = await page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates)
  expect(seen[0]).toBe('off')
  expect(seen.slice(1)).not.toContain('off')
  expect(seen).toContain('starting')
  expect(app.grid.aipg.registrations.at(-1)).toMatchObject({ name: 'choice-rig' })

  // Rewards are said in den, explained, and never as a bare number.
  await expect(page.locator('dt').filter({ hasText: 'Rewards (den)' })).toBeVisible()
  await expect(page.getByTestId('reward-unit')).toContainText("den: the AIPG grid's reward unit")
  await expect(page.getByRole('region', { name: 'Earnings chart' }).getByTestId('chart-summary')).toHaveText(/^1 job, [\d.]+ den in/)
  await expect(page.getByRole('region', { name: 'Job log' }).locator('tbody tr').first()).toContainText(/[\d.]+ den|…/)
  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()

  // No catalog download was started: the Models view lists none.
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Models' }).click()
  await expect(page.getByRole('region', { name: 'Downloads' }).locator('li, tr')).toHaveCount(0)
})

test('a local API enable that fails says why beside the toggle and leaves it off', async ({ page }) => {
  const port = (taken.address() as { port: number }).port
  await app.open(page)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click()
  const portInput = page.getByLabel('Port', { exact: true })
  await portInput.fill(String(port))
  await portInput.blur()
  await expect(page.getByRole('status').filter({ hasText: 'Saved: the local API is off.' })).toBeVisible()
  await page.getByLabel('Enable the local API').click()
  await expect(page.getByRole('alert').filter({ hasText: `Port ${port} is already in use` })).toBeVisible()
  await expect(page.getByLabel('Enable the local API')).not.toBeChecked()
  // The host stored it off: a reload shows it off, still with the reason beside the toggle.
  await page.reload()
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click()
  await expect(page.getByLabel('Enable the local API')).not.toBeChecked()
  await expect(
    page.getByRole('alert').filter({ hasText: `Port ${port} is already in use; choose another. The local API is off.` }),
  ).toBeVisible()
})
