import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { EarnSnapshot } from '../../src/shared/domain.js'
import { until, useEarnHost } from './hostHarness.js'

/** Accounts of the dev grid; a test revokes a key by deleting it (the grid reads this object live). */
const keys: Record<string, { user: string; scopes: string[] }> = {
  'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'] },
  'dev-key-chat-only': { user: 'carol#3', scopes: ['inference.chat'] },
  'dev-key-dave-rig': { user: 'dave#4', scopes: ['worker.connect'] },
}
const harness = useEarnHost(
  { aipg: { mode: 'aipg', keys, ownedNames: { 'taken-name': 'bob#2' } }, horde: { mode: 'horde' } },
  {},
  { loadModel: true },
)
const { temp, host, grid, earn } = harness
const call = (name: string, request: unknown) => harness.call<EarnSnapshot>(name, request)

afterEach(async () => {
  grid('aipg').faults.down = false
  const state = earn()?.state
  if (state !== undefined && state !== 'off' && state !== 'error') {
    await host().dispatch('earn.stop', {})
    await until(() => earn()?.state === 'off' || earn()?.state === 'error')
  }
})

const configure = (network: 'aipg' | 'horde', workerName: string) =>
  call('earn.configure', { network, gridUrl: grid(network).url, workerName, slots: 1, maxLength: 64, maxContextLength: 1024 })
const secretFile = (network: string) => join(temp.dir, 'secrets', `${network}-api-key.secret`)
const story = { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 20 }

describe('the API key is checked against the grid before it is saved', () => {
  it('refuses a wrong key, a key without the worker scope, a name owned by another account, and an unreachable grid, saving nothing', async () => {
    await configure('aipg', 'keycheck-rig')
    expect(await host().dispatch('earn.setApiKey', { network: 'aipg', apiKey: 'not-a-real-key' })).toMatchObject({
      ok: false,
      error: { code: 'KEY_REFUSED', message: expect.stringMatching(/does not recognise this API key.*Nothing was saved/) },
    })
    expect(await host().dispatch('earn.setApiKey', { network: 'aipg', apiKey: 'dev-key-chat-only' })).toMatchObject({
      ok: false,
      error: { code: 'KEY_REFUSED', message: expect.stringMatching(/needs the worker\.connect scope/) },
    })
    await configure('aipg', 'taken-name')
    expect(await host().dispatch('earn.setApiKey', { network: 'aipg', apiKey: 'dev-key-alice' })).toMatchObject({
      ok: false,
      error: { code: 'KEY_REFUSED', message: expect.stringMatching(/worker name belongs to another account/) },
    })
    await configure('aipg', 'keycheck-rig')
    grid('aipg').faults.down = true
    expect(await host().dispatch('earn.setApiKey', { network: 'aipg', apiKey: 'dev-key-alice' })).toMatchObject({
      ok: false,
      error: { code: 'GRID_UNREACHABLE', message: expect.stringMatching(/could not be reached.*not saved/) },
    })
    expect(existsSync(secretFile('aipg'))).toBe(false)
    expect(host().earn.snapshot().apiKeyLastFour).toBeNull()

    grid('aipg').faults.down = false
    const saved = await call('earn.setApiKey', { network: 'aipg', apiKey: 'dev-key-alice' })
    expect(saved.apiKeyLastFour).toBe('lice')
    expect(existsSync(secretFile('aipg'))).toBe(true)
    // The check registered the name with no models and left at once: no job could have reached it.
    expect(grid('aipg').aipg.registrations.at(-1)).toMatchObject({ name: 'keycheck-rig', models: [] })
    await grid('aipg').waitFor(() => !grid('aipg').aipg.results.size, 1000)
  })

  it('checks AI Horde keys with find_user and refuses the anonymous key', async () => {
    await configure('horde', 'horde-keycheck')
    expect(await host().dispatch('earn.setApiKey', { network: 'horde', apiKey: 'wrong-horde-key' })).toMatchObject({
      ok: false,
      error: { code: 'KEY_REFUSED', message: expect.stringMatching(/AI Horde does not recognise this API key/) },
    })
    expect(await host().dispatch('earn.setApiKey', { network: 'horde', apiKey: '0000000000' })).toMatchObject({
      ok: false,
      error: { code: 'KEY_REFUSED', message: expect.stringMatching(/anonymous key cannot run a worker/) },
    })
    expect(existsSync(secretFile('horde'))).toBe(false)
    expect((await call('earn.setApiKey', { network: 'horde', apiKey: 'dev-key-alice' })).apiKeyLastFour).toBe('lice')
    expect(grid('horde').requests.filter((request) => request.path === '/api/v2/find_user').length).toBeGreaterThanOrEqual(2)
  })
})

describe('grid problems while earning', () => {
  it('shows account totals from the grid when online, and says so without an error when it is not', async () => {
    await configure('horde', 'horde-totals')
    await call('earn.setApiKey', { network: 'horde', apiKey: 'dev-key-alice' })
    grid('horde').enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: 20, max_context_length: 1024 } })
    await call('earn.start', {})
    await until(() => earn()?.sinceStart.jobs === 1 && earn()!.sinceStart.rewards > 0)
    await call('earn.stop', {})
    await until(() => earn()?.state === 'off')
    const online = await call('earn.refreshAccount', {})
    expect(online.account).toMatchObject({ state: 'ok', message: null, totals: { user: 'alice#1', jobs: 1, workers: 1 } })
    expect(online.account.totals!.rewards).toBeCloseTo(host().earn.jobs(1)[0]!.reward!, 2)

    await configure('aipg', 'totals-rig')
    grid('aipg').faults.down = true
    const offline = await call('earn.refreshAccount', {})
    expect(offline.account).toMatchObject({ state: 'unavailable', message: 'Account totals unavailable (grid unreachable).' })
    grid('aipg').faults.down = false
    const back = await call('earn.refreshAccount', {})
    expect(back.account).toMatchObject({ state: 'ok', totals: { jobs: expect.any(Number) } })
  })

  it('rides out a grid that goes down, keeps the ledger, and stops cleanly saying why when the key is revoked', async () => {
    await configure('aipg', 'revoke-rig')
    await call('earn.setApiKey', { network: 'aipg', apiKey: 'dev-key-dave-rig' })
    const first = grid('aipg').enqueueAipg({ request: story })
    await call('earn.start', {})
    await until(() =>
      host()
        .earn.jobs(5)
        .find((job) => job.jobId === first && job.reward !== null),
    )

    grid('aipg').faults.down = true
    const down = await until(() => (earn()?.state === 'backoff' ? earn() : undefined))
    expect(down.detail).toMatch(/Reconnecting|Retrying|reach/i)
    // Retrying is shown as paused, in the Earn view and the tray alike: no job is taken until it reconnects.
    expect(down.status).toBe('paused')
    grid('aipg').faults.down = false
    await until(() => earn()?.state === 'waiting', 30_000)

    delete keys['dev-key-dave-rig']
    grid('aipg').dropAipgConnections()
    const stopped = await until(() => (earn()?.state === 'error' ? earn() : undefined), 30_000)
    expect(stopped.detail).toMatch(/API key was refused.*paste a new one/)
    expect(stopped.status).toBe('error')
    expect(stopped.running).toEqual([])
    expect(
      host()
        .earn.jobs(5)
        .find((job) => job.jobId === first),
    ).toMatchObject({ state: 'ok', reward: expect.any(Number) })
  })

  it('stops at Start with what to do when the worker name belongs to another account', async () => {
    await configure('aipg', 'name-rig')
    await call('earn.setApiKey', { network: 'aipg', apiKey: 'dev-key-alice' })
    await configure('aipg', 'taken-name')
    await call('earn.start', {})
    const stopped = await until(() => (earn()?.state === 'error' ? earn() : undefined))
    expect(stopped.detail).toMatch(/worker name belongs to another account; choose another worker name/)
  })
})
