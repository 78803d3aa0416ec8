import { createHash } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const PAYOUT_WALLET = `0x${'12'.repeat(20)}`

const temp = tempDataDir()
const token = 'e2e-payouts-token-0123456789abcdef'
let serve: ServeProcess
let grid: DevGrid

test.beforeAll(async () => {
  requireBuild()
  // A payout wallet set in the console: core lists and settles an account's jobs by it.
  grid = await startDevGrid({
    mode: 'aipg',
    keys: { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: PAYOUT_WALLET } },
  })
  serve = await startServe(temp.dir, token)
})
test.afterAll(async () => {
  await serve?.stop()
  await grid?.close()
  temp.cleanup()
})

const txHash = `0x${'5e'.repeat(32)}`

test('the Earn view shows the multiplier the model earns, the payouts with their transactions, and signed jobs', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByLabel('Model').selectOption(temp.model)
  await page.getByRole('button', { name: 'Load' }).click()
  await expect(page.getByText(/stories260K\.gguf loaded/)).toBeVisible()

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  await page.getByRole('button', { name: 'Skip setup' }).click()
  await page.getByLabel('API key').fill('dev-key-alice')
  await page.getByLabel('Worker name').fill('e2e-payouts')
  await page.getByLabel('Grid URL').fill(grid.url)
  await page.getByLabel('Max context').fill('1024')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByLabel('API key')).toHaveAttribute('placeholder', 'saved (…lice)')

  // The test model is in no registry: it earns the base rate under a descriptive name.
  await expect(page.getByTestId('model-rate')).toHaveText(
    "Earns the base rate: this model is not in the grid's registry (advertised as grid/stories260K)",
  )
  // Once the grid publishes a registry that lists it, it is advertised under that exact name and earns its multiplier.
  grid.aipg.registry = { 'gpt-oss-20b': 20, stories260k: 20 }
  const totals = page.getByRole('region', { name: 'Account totals' })
  await totals.getByRole('button', { name: 'Refresh' }).click()
  await expect(page.getByTestId('model-rate')).toHaveText('Earns 20× as stories260k')

  const ids = [0, 1].map(() => grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24 } }))
  await page.getByRole('button', { name: 'Start earning' }).click()
  await expect(page.getByRole('region', { name: 'Job log' }).locator('tbody tr[data-state="ok"]')).toHaveCount(2)
  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()
  expect(grid.aipg.registrations.at(-1)).toMatchObject({ models: ['stories260k'] })

  // What the grid records when a job's worker_sig verifies (the signing is the transport's part), and the hourly payouts.
  const signed = grid.aipg.results.get(ids[0]!)!
  Object.assign(
    grid.aipg.ledger.find((row) => row.jobId === ids[0])!,
    { signed: true, resultHash: createHash('sha256').update(signed.text, 'utf8').digest('hex') },
  )
  grid.aipg.payouts.set('alice#1', {
    accrued_aipg: 0.07,
    paid_aipg: 1.25,
    payouts: [
      {
        period_id: '2026-12-01T09',
        den: 125,
        aipg: 1.25,
        status: 'confirmed',
        tx_hash: txHash,
        address: `0x${'12'.repeat(20)}`,
        paid: true,
      },
    ],
  })
  await totals.getByRole('button', { name: 'Refresh' }).click()

  const payouts = page.getByRole('region', { name: 'Payouts' })
  await expect(payouts.locator('[data-payouts="accrued"]')).toHaveText('0.07')
  await expect(payouts.locator('[data-payouts="paid"]')).toHaveText('1.25')
  const row = payouts.getByRole('row').filter({ hasText: '2026-12-01T09' })
  await expect(row).toContainText('confirmed')
  await expect(row.getByRole('link')).toHaveAttribute('href', `https://basescan.org/tx/${txHash}`)

  const log = page.getByRole('region', { name: 'Job log' })
  await expect(log.locator('[data-signed="signed"]')).toHaveCount(1)
  await expect(log.locator('[data-signed="signed"]')).toHaveText('signed ✓')
  await expect(log.locator('[data-signed="unsigned"]')).toHaveCount(1)

  // Offline: the payouts say so once, the last ones stay, and nothing turns into an error banner.
  grid.faults.down = true
  try {
    await totals.getByRole('button', { name: 'Refresh' }).click()
    await expect(payouts.getByTestId('payouts-unavailable')).toHaveText(
      'Payouts unavailable right now; these are the last the grid reported.',
    )
    await expect(row.getByRole('link')).toBeVisible()
    await expect(page.getByRole('alert')).toHaveCount(0)
  } finally {
    grid.faults.down = false
  }
})
