import { expect, test } from '@playwright/test'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'
import { seriousAxeViolations } from './a11yChecks.js'
import { healthyRoutes, startScriptedServer, type ScriptedServer } from '../support/scriptedOpenAi.js'

const temp = tempDataDir()
const token = 'e2e-bridge-token-0123456789abcdef'
let serve: ServeProcess
let grid: DevGrid
let server: ScriptedServer
let other: ScriptedServer

test.beforeAll(async () => {
  requireBuild()
  server = await startScriptedServer(healthyRoutes('tiny', 'Hi from the server you run'))
  other = await startScriptedServer(healthyRoutes('tiny2', 'Hi from the other server'))
  grid = await startDevGrid({ mode: 'aipg' })
  serve = await startServe(temp.dir, token)
})
test.afterAll(async () => {
  await serve?.stop()
  await grid?.close()
  await server?.close()
  await other?.close()
  temp.cleanup()
})

test('earns through two servers the user already runs, set up in the Earn view with no model loaded, and removes one', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  await page.getByRole('button', { name: 'Skip setup' }).click()
  await page.getByLabel('API key', { exact: true }).fill('dev-key-alice')
  await page.getByLabel('Worker name').fill('e2e-bridge')
  await page.getByLabel('Grid URL').fill(grid.url)
  await page.getByRole('button', { name: 'Save settings' }).click()

  const panel = page.getByLabel('Where the tokens come from')
  await panel.getByLabel('Use a server I already run').check()
  const first = panel.getByRole('region', { name: 'Server 1' })
  await first.getByLabel('Server URL').fill(`${server.origin}/v1`)
  await first.getByRole('button', { name: 'Test connection' }).click()
  await expect(first.getByTestId('bridge-test')).toHaveText('The server answers and serves one model; choose one.')
  await first.getByLabel('Server model').fill('llama3')
  await first.getByRole('button', { name: 'Test connection' }).click()
  await expect(first.getByTestId('bridge-test')).toHaveText('The inference server does not serve "llama3"; it serves tiny.')
  await first.getByLabel('Server model').fill('tiny')
  await first.getByRole('button', { name: 'Test connection' }).click()
  await expect(first.getByTestId('bridge-test')).toHaveText(/^Connected: "tiny" answers \(streaming yes/)
  // Not a registry model: AIPG sees a descriptive name, and the form says den pays it the base rate.
  await expect(first.getByLabel('Name on AIPG')).toHaveValue('')
  await expect(first.getByLabel('Name on AIPG').locator('option:checked')).toHaveText('“grid/tiny” (not in the model registry, den ×1)')

  // A second server, added and filled in from the keyboard: Add server puts the cursor in its URL.
  await panel.getByRole('button', { name: 'Add server' }).press('Enter')
  const second = panel.getByRole('region', { name: 'Server 2' })
  await expect(second.getByLabel('Server URL')).toBeFocused()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.type(`${other.origin}/v1`)
  await second.getByLabel('Server model').fill('tiny2')
  await second.getByLabel('Slots').fill('2')
  await second.getByLabel('Max length').fill('12')
  await second.getByRole('button', { name: 'Test connection' }).click()
  await expect(second.getByTestId('bridge-test')).toHaveText(/^Connected: "tiny2" answers/)
  await expect(first.getByTestId('bridge-test')).toHaveText(/^Connected: "tiny" answers/)
  // The cards themselves (the Earn view around them is a11y.web.spec.ts's).
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    expect(await seriousAxeViolations(page, '.settings-card[aria-label="Where the tokens come from"]'), colorScheme).toEqual([])
  }
  await page.emulateMedia({ colorScheme: 'light' })

  await panel.getByRole('button', { name: 'Save and earn through these servers' }).click()
  await expect(panel.getByRole('status').filter({ hasText: 'Saved:' })).toHaveText('Saved: 2 servers, 2 models.')
  await expect(first.getByTestId('bridge-status')).toHaveText(`Start earning serves "tiny" from ${server.origin}/v1.`)
  await expect(second.getByTestId('bridge-status')).toHaveText(`Start earning serves "tiny2" from ${other.origin}/v1.`)
  await expect(second.getByLabel('Slots')).toHaveValue('2')
  // The readiness check names the first server's model, not the (unloaded) model of this PC.
  const readiness = page.getByRole('region', { name: 'Grid readiness' })
  await expect(readiness).toContainText(`on your server's model tiny at ${server.origin}/v1; the tests go to that server only.`)
  await expect(readiness).not.toContainText('on this PC only')

  const registered = grid.aipg.registrations.length
  const toFirst = grid.enqueueAipg({ model: 'grid/tiny', request: { messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 16 } })
  const toSecond = grid.enqueueAipg({ model: 'grid/tiny2', request: { messages: [{ role: 'user', content: 'Say hi' }], max_tokens: 8 } })
  await page.getByRole('button', { name: 'Start earning' }).click()
  await expect(page.getByRole('region', { name: 'Job log' }).locator('tbody tr[data-state="ok"]')).toHaveCount(2)
  expect(grid.aipg.results.get(toFirst)?.text).toBe('Hi from the server you run')
  expect(grid.aipg.results.get(toSecond)?.text).toBe('Hi from the other server')
  // Each card says how its own server is doing.
  await expect(first.getByTestId('bridge-status')).toHaveText(`Serving "tiny" from ${server.origin}/v1.`)
  await expect(second.getByTestId('bridge-status')).toHaveText(`Serving "tiny2" from ${other.origin}/v1.`)
  await expect(second.getByLabel('Server URL')).toBeDisabled()
  await page.getByRole('button', { name: 'Stop earning' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Not earning' })).toBeVisible()
  const frames = grid.aipg.registrations.slice(registered)
  expect(frames.find((frame) => frame.name === 'e2e-bridge-tiny')).toMatchObject({ models: ['grid/tiny'] })
  expect(frames.filter((frame) => String(frame.name).startsWith('e2e-bridge-tiny2-'))).toEqual([
    expect.objectContaining({ name: 'e2e-bridge-tiny2-1', models: ['grid/tiny2'], max_length: 12 }),
    expect.objectContaining({ name: 'e2e-bridge-tiny2-2', models: ['grid/tiny2'], max_length: 12 }),
  ])

  // Remove asks first; Keep it leaves the server, Remove it takes it (and its key) off the list at once,
  // and what is being typed on the other cards stays.
  await first.getByLabel('Slots').fill('3')
  await second.getByRole('button', { name: 'Remove server' }).click()
  await expect(second.getByRole('button', { name: 'Keep it' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(second.getByRole('button', { name: 'Remove server' })).toBeVisible()
  await second.getByRole('button', { name: 'Remove server' }).click()
  await second.getByRole('button', { name: 'Remove it' }).click()
  await expect(panel.getByRole('status').filter({ hasText: 'Removed' })).toHaveText(`Removed Server 2 (${other.origin}/v1).`)
  await expect(panel.getByRole('region', { name: /^Server \d$/ })).toHaveCount(1)
  await expect(panel.getByRole('button', { name: 'Add server' })).toBeFocused()
  await expect(first.getByLabel('Slots')).toHaveValue('3')

  // Settings shows the same list.
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click()
  const settings = page.getByLabel('Where the tokens come from')
  await expect(settings.getByLabel('Use a server I already run')).toBeChecked()
  await expect(settings.getByRole('region', { name: /^Server \d$/ })).toHaveCount(1)
  await expect(settings.getByRole('region', { name: 'Server 1' }).getByLabel('Server model')).toHaveValue('tiny')
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
