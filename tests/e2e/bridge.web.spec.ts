import { expect, test } from '@playwright/test'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'
import { healthyRoutes, startScriptedServer, type ScriptedServer } from '../support/scriptedOpenAi.js'

const temp = tempDataDir()
const token = 'e2e-bridge-token-0123456789abcdef'
let serve: ServeProcess
let grid: DevGrid
let server: ScriptedServer

test.beforeAll(async () => {
  requireBuild()
  server = await startScriptedServer(healthyRoutes('tiny', 'Hi from the server you run'))
  grid = await startDevGrid({ mode: 'aipg' })
  serve = await startServe(temp.dir, token)
})
test.afterAll(async () => {
  await serve?.stop()
  await grid?.close()
  await server?.close()
  temp.cleanup()
})

test('earns through a server the user already runs, set up in the Earn view, with no model loaded', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  await page.getByRole('button', { name: 'Skip setup' }).click()
  await page.getByLabel('API key', { exact: true }).fill('dev-key-alice')
  await page.getByLabel('Worker name').fill('e2e-bridge')
  await page.getByLabel('Grid URL').fill(grid.url)
  await page.getByRole('button', { name: 'Save settings' }).click()

  const panel = page.getByLabel('Where the tokens come from')
  await panel.getByLabel('Use a server I already run').check()
  await panel.getByLabel('Server URL').fill(`${server.origin}/v1`)
  await panel.getByRole('button', { name: 'Test connection' }).click()
  await expect(panel.getByTestId('bridge-test')).toHaveText('The server answers and serves one model; choose one.')
  await panel.getByLabel('Server model').fill('llama3')
  await panel.getByRole('button', { name: 'Test connection' }).click()
  await expect(panel.getByTestId('bridge-test')).toHaveText('The inference server does not serve "llama3"; it serves tiny.')
  await panel.getByLabel('Server model').fill('tiny')
  await panel.getByRole('button', { name: 'Test connection' }).click()
  await expect(panel.getByTestId('bridge-test')).toHaveText(/^Connected: "tiny" answers \(streaming yes/)
  // Not a registry model: AIPG sees a descriptive name, and the form says den pays it the base rate.
  await expect(panel.getByLabel('Name on AIPG')).toHaveValue('')
  await expect(panel.getByLabel('Name on AIPG').locator('option:checked')).toHaveText('“grid/tiny” (not in the model registry, den ×1)')
  await panel.getByRole('button', { name: 'Save and earn through this server' }).click()
  await expect(panel.getByTestId('bridge-status')).toHaveText(`Start earning serves "tiny" from ${server.origin}/v1.`)
  // The readiness check names the server's model, not the (unloaded) model of this PC.
  const readiness = page.getByRole('region', { name: 'Grid readiness' })
  await expect(readiness).toContainText(`on your server's model tiny at ${server.origin}/v1; the tests go to that server only.`)
  await expect(readiness).not.toContainText('on this PC only')

  grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 16 } })
  await page.getByRole('button', { name: 'Start earning' }).click()
  await expect(page.getByRole('region', { name: 'Job log' }).locator('tbody tr[data-state="ok"]')).toHaveCount(1)
  await expect(panel.getByTestId('bridge-status')).toHaveText(`Serving "tiny" from ${server.origin}/v1.`)
  await expect(panel.getByLabel('Server URL')).toBeDisabled()
  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()
  expect(grid.aipg.registrations.at(-1)).toMatchObject({ name: 'e2e-bridge', models: ['grid/tiny'] })

  // Settings shows the same choice.
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click()
  const settings = page.getByLabel('Where the tokens come from')
  await expect(settings.getByLabel('Use a server I already run')).toBeChecked()
  await expect(settings.getByLabel('Server model')).toHaveValue('tiny')
})

test("chats through the user's own server, with the privacy words of that server", async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Chat' }).click()
  await page.getByLabel('Replies from').selectOption('server')
  await expect(page.getByTestId('privacy-line')).toHaveText(
    `Replies come from My server (tiny). This conversation stays on your own server at ${server.origin}/v1.`,
  )
  await page.getByLabel('Message').fill('Hello, server')
  await page.getByLabel('Message').press('Enter')
  await expect(page.getByText('Hi from the server you run')).toBeVisible()
  await expect(page.getByText('My server · tiny')).toBeVisible()
})
