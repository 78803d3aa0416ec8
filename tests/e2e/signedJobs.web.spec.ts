import { createHash } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const temp = tempDataDir()
const token = 'e2e-signed-token-0123456789abcdefgh'
/** The account's payout wallet, set in the console; the user signs with it in their own wallet app (here viem). */
const wallet = privateKeyToAccount(generatePrivateKey())
let serve: ServeProcess
let grid: DevGrid

test.beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({
    mode: 'aipg',
    keys: { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: wallet.address } },
  })
  serve = await startServe(temp.dir, token)
})
test.afterAll(async () => {
  await serve?.stop()
  await grid?.close()
  temp.cleanup()
})

test('a job run through the dev grid with a delegation installed shows signed ✓ with its hash, as the grid ledger records it', async ({
  page,
}) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByLabel('Model').selectOption(temp.model)
  await page.getByRole('button', { name: 'Load' }).click()
  await expect(page.getByText(/stories260K\.gguf loaded/)).toBeVisible()

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  await page.getByRole('button', { name: 'Skip setup' }).click()
  await page.getByLabel('API key').fill('dev-key-alice')
  await page.getByLabel('Worker name').fill('e2e-signed')
  await page.getByLabel('Grid URL').fill(grid.url)
  await page.getByLabel('Max context').fill('1024')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByLabel('API key')).toHaveAttribute('placeholder', 'saved (…lice)')

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

  const id = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24 } })
  await page.getByRole('button', { name: 'Start earning' }).click()
  const log = page.getByRole('region', { name: 'Job log' })
  await expect(log.locator('tbody tr[data-state="ok"]')).toHaveCount(1)
  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()

  // The grid verified the worker_sig itself: its ledger says signed, with core's hash of the text it received.
  const result = grid.aipg.results.get(id)!
  const hash = createHash('sha256').update(result.text, 'utf8').digest('hex')
  expect(grid.aipg.ledger.find((row) => row.jobId === id)).toMatchObject({ signed: true, resultHash: hash })

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
