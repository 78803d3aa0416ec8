import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { openEarnView, servedApp } from './servedApp.js'

/** The user's payout wallet, in their own wallet app: here a viem account. */
const wallet = privateKeyToAccount(generatePrivateKey())
const stranger = privateKeyToAccount(generatePrivateKey())
// The grid for the enrollment step: enrollment switched on, the account paid to the user's wallet.
const app = servedApp('identity', {
  grid: {
    mode: 'aipg',
    workerEnrollment: true,
    keys: { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: wallet.address } },
  },
})
const { temp } = app

test("pasting the payout wallet's signature installs the delegation; the address shows, never the key", async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await app.open(page)
  await openEarnView(page)

  const panel = page.getByRole('region', { name: 'Worker identity' })
  const address = panel.locator('[data-identity="address"]')
  await expect(address).toHaveText(/^0x[0-9a-f]{40}$/)
  const shown = await address.textContent()
  await expect(panel.locator('[data-identity="state"]')).toHaveText('none: results go unsigned.')

  await panel.getByLabel('Payout wallet').fill(wallet.address)
  await panel.getByRole('button', { name: 'Show the message to sign' }).click()
  const messageBox = panel.getByLabel('Message to sign')
  await expect(messageBox).toHaveValue(/^aipg-worker-delegation:v1:\{"audience":"api\.aipowergrid\.io"/)
  const message = await messageBox.inputValue()
  expect(message).toContain(`"worker_signer":"${shown}"`)
  await panel.getByRole('button', { name: 'Copy' }).click()
  await expect(panel.getByText('Copied.')).toBeVisible()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(message)

  await panel.screenshot({ path: 'test-results/identity-request.png' })
  await panel.getByLabel('Signature', { exact: true }).fill(await stranger.signMessage({ message }))
  await panel.getByRole('button', { name: 'Install' }).click()
  await expect(panel.locator('[data-identity="error"]')).toHaveText(
    `The signature was made by ${stranger.address.toLowerCase()}, not by the payout wallet ${wallet.address.toLowerCase()}; sign the message with the payout wallet's account.`,
  )

  await panel.getByLabel('Signature', { exact: true }).fill(await wallet.signMessage({ message }))
  await panel.getByRole('button', { name: 'Install' }).click()
  await expect(panel.locator('[data-identity="state"]')).toHaveText(/^installed until \d{4}-\d{2}-\d{2}$/)
  await expect(panel.locator('[data-identity="error"]')).toHaveCount(0)
  await expect(address).toHaveText(shown!)
  await expect(panel.getByRole('button', { name: 'Renew' })).toBeVisible()

  const key = readFileSync(join(temp.dir, 'secrets', 'aipg-worker-key.secret'), 'utf8').trim()
  expect(await page.content()).not.toContain(key)
  await panel.screenshot({ path: 'test-results/identity-panel.png' })
})

test('one-click enrollment: the approval link opens the console, and once approved the delegation and the API key are installed', async ({
  page,
}) => {
  await app.open(page)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  const setup = page.getByRole('button', { name: 'Skip setup' })
  if (await setup.isVisible()) await setup.click()
  await page.getByLabel('Worker name').fill('e2e-enrolled')
  await page.getByLabel('Grid URL').fill(app.grid.url)
  await page.getByRole('button', { name: 'Save settings' }).click()

  const panel = page.getByRole('region', { name: 'Worker identity' })
  const renew = panel.getByRole('button', { name: 'Renew' })
  if (await renew.isVisible()) await renew.click()
  // Enrollment off on the grid: the panel says so and the manual form stays the way.
  app.grid.aipg.enrollment.enabled = false
  await panel.getByRole('button', { name: 'Enroll with one click' }).click()
  await expect(panel.locator('[data-identity="enrollment-message"]')).toHaveText(
    'This grid does not offer one-click enrollment (it answered "Native worker enrollment is not enabled."); sign the delegation by hand instead.',
  )
  await expect(panel.getByRole('button', { name: 'Show the message to sign' })).toBeVisible()

  app.grid.aipg.enrollment.enabled = true
  await panel.getByRole('button', { name: 'Enroll with one click' }).click()
  const link = panel.locator('[data-identity="approve-link"]')
  await expect(link).toHaveAttribute('href', new RegExp(`^${app.grid.url}/console/workers/enroll/`))
  const [consolePage] = await Promise.all([page.context().waitForEvent('page'), link.click()])
  await expect(consolePage.locator('body')).toContainText('Approve worker "e2e-enrolled"')
  await consolePage.close()
  await panel.screenshot({ path: 'test-results/identity-enrollment-waiting.png' })

  const id = (await link.getAttribute('href'))!.split('/').at(-1)!
  expect((await app.grid.approveEnrollment(id, (message) => wallet.signMessage({ message }))).status).toBe(200)
  await expect(panel.locator('[data-identity="enrollment-message"]')).toHaveText(
    'Enrolled: the payout wallet delegated this worker key for "e2e-enrolled", and the grid\'s API key for this rig is saved.',
    { timeout: 15_000 },
  )
  await expect(panel.locator('[data-identity="state"]')).toHaveText(/^installed until \d{4}-\d{2}-\d{2}$/)
  const apiKey = app.grid.aipg.enrollment.records.get(id)!.apiKey
  await expect(page.getByLabel('API key')).toHaveAttribute('placeholder', `saved (…${apiKey.slice(-4)})`)
  expect(await page.content()).not.toContain(apiKey)
})
