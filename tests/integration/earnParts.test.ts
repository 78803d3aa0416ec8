import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { StartEarningFlow } from '../../src/main/earn/startEarningFlow.js'
import { startEarningPorts } from '../../src/main/host/startEarningPorts.js'
import type { ModelsService } from '../../src/main/models/modelsService.js'
import { openDatabase } from '../../src/main/store/database.js'
import type { EarnService } from '../../src/main/earn/earnService.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { earnServiceOn, loadedModel, readyEngine } from '../support/earnHarness.js'
import { tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
let db: Database.Database
let grid: DevGrid
const services: EarnService[] = []

beforeAll(async () => {
  db = openDatabase(join(temp.dir, 'gridforge.db'))
  grid = await startDevGrid({ mode: 'aipg' })
})
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(services.splice(0).map((earn) => earn.close()))
})
afterAll(async () => {
  await grid.close()
  db.close()
  temp.cleanup()
})

const engine = readyEngine()

/** The earn feature on the real store and the dev grid; every request it sends to the grid is counted. */
function earnOn(secretsDir: string) {
  const asked: string[] = []
  const counting: typeof fetch = (input, init) => {
    asked.push(new URL(input instanceof Request ? input.url : String(input)).pathname)
    return fetch(input, init)
  }
  const earn = earnServiceOn(db, temp.dir, secretsDir, { engine, fetch: counting })
  services.push(earn)
  return { earn, accountRequests: () => asked.filter((path) => path === '/v1/account/workers').length }
}

const until = async (check: () => boolean, what: string) => grid.waitFor(check, 10_000, what)

describe('the account poller', () => {
  it('asks the grid nothing until the host starts it, then at once and every five minutes', async () => {
    const first = earnOn('secrets-poll')
    first.earn.configure({ network: 'aipg', gridUrl: grid.url, workerName: 'poller', slots: 1, maxLength: 64, maxContextLength: 1024 })
    await first.earn.setApiKey('aipg', 'dev-key-alice')
    await first.earn.close()

    // The next run of the app: a stored key, but building the service sends nothing.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const next = earnOn('secrets-poll')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(next.accountRequests()).toBe(0)
    expect(next.earn.snapshot().account.state).toBe('unknown')

    next.earn.account.start()
    await until(() => next.earn.snapshot().account.state === 'ok', 'totals after start')
    expect(next.accountRequests()).toBe(1)

    vi.advanceTimersByTime(5 * 60_000)
    await until(() => next.accountRequests() === 2, 'the five-minute poll')
    expect(next.earn.snapshot().account).toMatchObject({ state: 'ok', totals: { jobs: expect.any(Number) } })
  })

  it('keeps the last totals, saying they are not current, while the grid is down', async () => {
    const { earn } = earnOn('secrets-down')
    earn.configure({ network: 'aipg', gridUrl: grid.url, workerName: 'poller-down', slots: 1, maxLength: 64, maxContextLength: 1024 })
    await earn.setApiKey('aipg', 'dev-key-alice')
    const ok = await earn.refreshAccount()
    expect(ok.account.state).toBe('ok')
    grid.faults.down = true
    try {
      const down = await earn.refreshAccount()
      expect(down.account).toMatchObject({
        state: 'unavailable',
        totals: ok.account.totals,
        message: 'Account totals unavailable (grid unreachable).',
      })
    } finally {
      grid.faults.down = false
    }
  })
})

describe('Start earning against the miner', () => {
  it('fails to connect with the grid’s reason when the grid is down, without the worker’s retry promise, and leaves nothing mining', async () => {
    const { earn } = earnOn('secrets-start')
    earn.configure({ network: 'aipg', gridUrl: grid.url, workerName: 'start-down', slots: 1, maxLength: 64, maxContextLength: 1024 })
    await earn.setApiKey('aipg', 'dev-key-alice')
    grid.faults.down = true
    try {
      const ports = startEarningPorts({ models: {} as ModelsService, engine, earn })
      const flow = new StartEarningFlow({ ...ports, resolve: async () => ({ name: 'Tiny', path: loadedModel.path }) })
      flow.start({ kind: 'local', modelId: 'tiny' })
      await flow.settled()
      const failure = flow.snapshot().failure
      expect(failure).toMatchObject({ step: 'connect', choices: ['retry', 'cancel'] })
      expect(failure!.message).toMatch(/^Could not connect to the grid: .+\. Check the API key/)
      expect(failure!.message).not.toMatch(/Retrying|Reconnecting/)
      await until(() => earn.snapshot().state === 'off', 'the miner stopped')
      expect(earn.snapshot().status).toBe('idle')
    } finally {
      grid.faults.down = false
    }
  })
})
