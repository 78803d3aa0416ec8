import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { createHost, type Host } from '../../src/main/host/createHost.js'
import type { EarnSnapshot } from '../../src/shared/domain.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

const KEY = 'dev-key-alice'
const temp = tempDataDir()
let host: Host
let home: DevGrid
let other: DevGrid

beforeAll(async () => {
  requireBuild()
  home = await startDevGrid({ mode: 'aipg' })
  other = await startDevGrid({ mode: 'aipg' })
  host = createHost({
    dataDir: temp.dir,
    shell: 'headless',
    version: '0.0.0-test',
    launchEngine: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }),
  })
  const loaded = await host.dispatch('engine.load', { path: temp.model })
  if (!loaded.ok) throw new Error(loaded.error.message)
})
afterAll(async () => {
  await host.close()
  await home.close()
  await other.close()
  temp.cleanup()
})

async function call<T = EarnSnapshot>(name: string, request: unknown): Promise<T> {
  const result = await host.dispatch(name, request)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as T
}

const settings = (gridUrl: string) => ({
  network: 'aipg',
  gridUrl,
  workerName: 'origin-rig',
  slots: 1,
  maxLength: 64,
  maxContextLength: 1024,
})
/** Every way the key could reach a grid: a header on a request, or the worker's registration. */
const keySentTo = (grid: DevGrid) =>
  grid.requests.some((request) => request.credential === KEY) || grid.aipg.registrations.some((r) => r.apikey === KEY)

describe('a saved API key goes only to the grid it was checked against', () => {
  it('is not sent to another grid URL (totals, Start, chat through the grid) until it is checked there', async () => {
    await call('earn.configure', settings(home.url))
    expect(await call('earn.setApiKey', { network: 'aipg', apiKey: KEY })).toMatchObject({
      apiKeyLastFour: 'lice',
      apiKeyNeedsCheck: false,
    })
    expect(keySentTo(home)).toBe(true)

    const moved = await call('earn.configure', settings(other.url))
    expect(moved).toMatchObject({ apiKeyLastFour: 'lice', apiKeyNeedsCheck: true })
    expect((await call('earn.refreshAccount', {})).account.state).toBe('unknown')
    const start = await host.dispatch('earn.start', {})
    expect(start).toMatchObject({
      ok: false,
      error: { code: 'KEY_REFUSED', message: expect.stringMatching(/checked against another grid.*paste it again/) },
    })
    expect(host.earn.snapshot().state).toBe('off')
    await host.dispatch('chat.gridModels', { network: 'aipg' })
    // Give anything started in the background (account totals) time to reach the grid.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(keySentTo(other)).toBe(false)

    // Pasting the key again checks it against this grid; then it is used here.
    expect(await call('earn.setApiKey', { network: 'aipg', apiKey: KEY })).toMatchObject({ apiKeyNeedsCheck: false })
    await call('earn.start', {})
    await other.waitFor(
      () => other.aipg.registrations.some((r) => r.name === 'origin-rig' && Array.isArray(r.models) && r.models.length > 0),
      20_000,
      'the worker registers',
    )
    host.earn.stop()
    await new Promise<void>((resolve) => {
      const done = () => (host.earn.snapshot().state === 'off' ? resolve() : setTimeout(done, 20))
      done()
    })
  })

  it('refuses a plain http:// grid URL unless the grid is on this PC', async () => {
    const refused = await host.dispatch('earn.configure', settings('http://grid.example.com'))
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/must start with https:\/\/.*only for a grid on this PC/) },
    })
    for (const local of ['http://127.0.0.1:7001', 'http://localhost:7001', 'http://[::1]:7001', 'https://grid.example.com']) {
      expect((await host.dispatch('earn.configure', settings(local))).ok, local).toBe(true)
    }
  })
})
