import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const temp = tempDataDir()
const token = 'e2e-identity-token-0123456789abcd'
/** The user's payout wallet, in their own wallet app: here a viem account. */
const wallet = privateKeyToAccount(generatePrivateKey())
const stranger = privateKeyToAccount(generatePrivateKey())
let serve: ServeProcess

test.beforeAll(async () => {
  requireBuild()
  serve = await startServe(temp.dir, token)
})
test.afterAll(async () => {
  await serve?.stop()
  temp.cleanup()
})

test("pasting the payout wallet's signature installs the delegation; the address shows, never the key", async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  await page.getByRole('button', { name: 'Skip setup' }).click()

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
