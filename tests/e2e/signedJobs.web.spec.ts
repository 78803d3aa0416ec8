import { createHash } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { loadModelInUi, openEarnView, saveMinerSettings, servedApp } from './servedApp.js'

/** The account's payout wallet, set in the console; the user signs with it in their own wallet app (here viem). */
const wallet = privateKeyToAccount(generatePrivateKey())
const app = servedApp('signed', {
  grid: { mode: 'aipg', keys: { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: wallet.address } } },
})

test('a job run through the dev grid with a delegation installed shows signed ✓ with its hash, as the grid ledger records it', async ({
  page,
}) => {
  await app.open(page)
  await loadModelInUi(page, app)

  await openEarnView(page)
  await saveMinerSettings(page, app.grid, 'e2e-signed')

  // The grid told GridForge which wallet the account is paid to: the delegation form starts with it.
  const panel = page.getByRole('region', { name: 'Worker identity' })
  await expect(panel.getByLabel('Payout wallet')).toHaveValue(wallet.address.toLowerCase())
  await expect(panel.locator('[data-identity="account-wallet"]')).toHaveText('The wallet the grid pays this account.')
  await panel.getByLabel('Delegate to worker').fill('e2e-signed')
  await panel.getByRole('button', { name: 'Show the message to sign' }).click()
  const message = await panel.getByLabel('Message to sign').inputValue()
  await panel.getByLabel('Signature', { exact: true }).fill(await wallet.signMessage({ message }))
  await panel.getByRole('button', { name: 'Install' }).click()
  await expect(panel.locator('[data-identity="state"]')).toHaveText(/^installed until /)

  const id = app.grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24 } })
  await page.getByRole('button', { name: 'Start earning' }).click()
  const log = page.getByRole('region', { name: 'Job log' })
  await expect(log.locator('tbody tr[data-state="ok"]')).toHaveCount(1)
  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()

  // The grid verified the worker_sig itself: its ledger says signed, with core's hash of the text it received.
  const result = app.grid.aipg.results.get(id)!
  const hash = createHash('sha256').update(result.text, 'utf8').digest('hex')
  expect(app.grid.aipg.ledger.find((row) => row.jobId === id)).toMatchObject({ signed: true, resultHash: hash })

  await page.getByRole('region', { name: 'Account totals' }).getByRole('button', { name: 'Refresh' }).click()
  const row = log.locator('tbody tr[data-state="ok"]')
  await expect(row.locator('[data-signed="signed"]')).toHaveText('signed ✓')
  await expect(row.locator(`td[title="${hash}"]`)).toHaveText(`${hash.slice(0, 12)}…`)
  await log.screenshot({ path: 'test-results/signed-job-log.png' })

  // The advisor now knows this PC's speed for the model from that job, and that nobody else serves it.
  const advisor = page.getByRole('region', { name: 'Recommended for earning' })
  const advised = advisor.locator('tr[data-advisor-key]').filter({ hasText: 'grid/stories260K' })
  await expect(async () => {
    await advisor.getByRole('button', { name: 'Estimate again' }).click()
    await expect(advised).toContainText('(measured on this PC)', { timeout: 2000 })
  }).toPass({ timeout: 20_000 })
  await expect(advised.locator('[data-advisor="workers"]')).toHaveText('0 (the grid wants more)')
  await expect(advisor.locator('[data-advisor="recommendation"]')).toContainText('you would be worker #1 of grid/stories260K')
  await expect(advisor.locator('[data-advisor="inputs"]')).toContainText('(the average of your AIPG jobs)')
  await advisor.screenshot({ path: 'test-results/earnings-advisor.png' })
})
