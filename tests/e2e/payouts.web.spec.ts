import { createHash } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { loadModelInUi, openEarnView, saveMinerSettings, servedApp } from './servedApp.js'

const PAYOUT_WALLET = `0x${'12'.repeat(20)}`

// A payout wallet set in the console: core lists and settles an account's jobs by it.
const app = servedApp('payouts', {
  grid: { mode: 'aipg', keys: { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: PAYOUT_WALLET } } },
})

const txHash = `0x${'5e'.repeat(32)}`

test('the Earn view shows the multiplier the model earns, the payouts with their transactions, and signed jobs', async ({ page }) => {
  await app.open(page)
  await loadModelInUi(page, app)

  await openEarnView(page)
  await saveMinerSettings(page, app.grid, 'e2e-payouts')

  // The test model is in no registry: it earns the base rate under a descriptive name.
  await expect(page.getByTestId('model-rate')).toHaveText(
    "Earns the base rate: this model is not in the grid's registry (advertised as grid/stories260K)",
  )
  // Once the grid publishes a registry that lists it, it is advertised under that exact name and earns its multiplier.
  app.grid.aipg.registry = { 'gpt-oss-20b': 20, stories260k: 20 }
  const totals = page.getByRole('region', { name: 'Account totals' })
  await totals.getByRole('button', { name: 'Refresh' }).click()
  await expect(page.getByTestId('model-rate')).toHaveText('Earns 20× as stories260k')

  const ids = [0, 1].map(() =>
    app.grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24 } }),
  )
  await page.getByRole('button', { name: 'Start earning' }).click()
  await expect(page.getByRole('region', { name: 'Job log' }).locator('tbody tr[data-state="ok"]')).toHaveCount(2)
  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()
  expect(app.grid.aipg.registrations.at(-1)).toMatchObject({ models: ['stories260k'] })

  // What the grid records when a job's worker_sig verifies (the signing is the transport's part), and the hourly payouts.
  const signed = app.grid.aipg.results.get(ids[0]!)!
  Object.assign(
    app.grid.aipg.ledger.find((row) => row.jobId === ids[0])!,
    { signed: true, resultHash: createHash('sha256').update(signed.text, 'utf8').digest('hex') },
  )
  app.grid.aipg.payouts.set('alice#1', {
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
  app.grid.faults.down = true
  try {
    await totals.getByRole('button', { name: 'Refresh' }).click()
    await expect(payouts.getByTestId('payouts-unavailable')).toHaveText(
      'Payouts unavailable right now; these are the last the grid reported.',
    )
    await expect(row.getByRole('link')).toBeVisible()
    await expect(page.getByRole('alert')).toHaveCount(0)
  } finally {
    app.grid.faults.down = false
  }
})
