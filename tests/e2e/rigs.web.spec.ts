import { createServer, type Server } from 'node:net'
import { expect, test } from '@playwright/test'
import { startDevGrid, type DevGrid, type DevRig } from '../support/devGrid/index.js'
import { freePort } from '../support/freePort.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'

const temp = tempDataDir()
const token = 'e2e-rigs-token-0123456789abcdef0'
let serve: ServeProcess
let grid: DevGrid
let taken: Server | null = null

const rig = (name: string, online: boolean, den: number, jobs: number, seenMsAgo: number): DevRig => ({
  name,
  type: 'text',
  models: ['grid/stories260K'],
  den_earned: den,
  jobs_completed: jobs,
  last_seen: new Date(Date.now() - seenMsAgo).toISOString(),
  maintenance: false,
  online,
})

test.beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({ mode: 'aipg' })
  grid.aipg.rigs.set('alice#1', [rig('garage-rig', true, 41.5, 812, 0), rig('attic-rig', false, 7.25, 130, 3 * 3_600_000)])
  serve = await startServe(temp.dir, token)
})
test.afterAll(async () => {
  taken?.close()
  await serve?.stop()
  await grid?.close()
  temp.cleanup()
})

test('the Earn view lists every rig of the account, and Settings serves metrics on a chosen port', async ({ page }) => {
  await page.goto(`${serve.url}#token=${token}`)
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Earn' }).click()
  await page.getByRole('button', { name: 'Skip setup' }).click()
  await page.getByLabel('API key').fill('dev-key-alice')
  await page.getByLabel('Worker name').fill('e2e-rig')
  await page.getByLabel('Grid URL').fill(grid.url)
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByLabel('API key')).toHaveAttribute('placeholder', 'saved (…lice)')
  await page.getByRole('region', { name: 'Account totals' }).getByRole('button', { name: 'Refresh' }).click()

  // The key check registered this rig once; the grid lists it with the account's other machines.
  const fleet = page.getByRole('region', { name: 'Rigs of this account' })
  await expect(fleet.locator('[data-fleet="summary"]')).toHaveText('1 of 3 online, 2 offline')
  const rows = fleet.locator('tbody tr')
  await expect(rows).toHaveCount(3)
  await expect(rows.nth(0)).toHaveAttribute('data-rig', 'e2e-rig')
  await expect(rows.nth(0)).toContainText('e2e-rig (this rig)')
  await expect(rows.nth(1)).toHaveAttribute('data-rig-state', 'offline')
  await expect(rows.nth(1)).toContainText(/attic-rig\s*Offline\s*grid\/stories260K\s*–\s*3 h ago\s*7\.25\s*130/)
  await expect(fleet.locator('[data-fleet="totals"]')).toContainText(/1 \/ 3 online.*48\.75\s*942/)

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click()
  const metrics = page.locator('.settings-card[aria-label="Metrics"]')
  const port = await freePort()
  await metrics.getByLabel('Metrics port').fill(String(port))
  // click, not check: the toggle shows what the host runs, so it changes once the host answers.
  await metrics.getByLabel('Serve Prometheus metrics').click()
  await expect(metrics.getByLabel('Serve Prometheus metrics')).toBeChecked()
  await expect(metrics.getByTestId('metrics-url')).toHaveText(`http://127.0.0.1:${port}/metrics`)
  const scraped = await fetch(`http://127.0.0.1:${port}/metrics`)
  expect(await scraped.text()).toContain('gridforge_jobs_total')

  // A port something else holds: one sentence beside the control, the toggle back off, the app going on.
  await metrics.getByLabel('Serve Prometheus metrics').click()
  await expect(metrics.getByLabel('Serve Prometheus metrics')).not.toBeChecked()
  await expect(metrics.getByTestId('metrics-url')).toHaveCount(0)
  const busy = await freePort()
  taken = createServer().listen(busy, '127.0.0.1')
  await metrics.getByLabel('Metrics port').fill(String(busy))
  // It springs back off once the host says why.
  await metrics.getByLabel('Serve Prometheus metrics').click()
  await expect(metrics.getByTestId('metrics-problem')).toHaveText(
    `Metrics port ${busy} is already in use, so metrics are off; pick another port.`,
  )
  await expect(metrics.getByLabel('Serve Prometheus metrics')).not.toBeChecked()
})
