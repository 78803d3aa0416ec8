import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { StartEarningFlow } from '../../src/main/earn/startEarningFlow.js'
import { startEarningPorts } from '../../src/main/host/startEarningPorts.js'
import type { ModelsService } from '../../src/main/models/modelsService.js'
import { openDatabase } from '../../src/main/store/database.js'
import type { EarnService } from '../../src/main/earn/earnService.js'
import type { Engine } from '../../src/main/engine/engine.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { earnServiceOn, loadedModel, readyEngine } from '../support/earnHarness.js'
import { tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
let db: Database.Database
let grid: DevGrid
const services: EarnService[] = []

beforeAll(() => {
  db = openDatabase(join(temp.dir, 'gridforge.db'))
})
afterEach(async () => {
  await Promise.all(services.splice(0).map((earn) => earn.close()))
  await grid.close()
})
afterAll(() => {
  db.close()
  temp.cleanup()
})

/** An engine whose reload for more sequences (slots ≥ 2) takes until the test lets it finish. */
function slowEngine() {
  let release!: () => void
  const reloaded = new Promise<void>((resolve) => (release = resolve))
  let ensureCalls = 0
  const engine = readyEngine(
    {},
    {
      ensureSequences: async () => {
        ensureCalls++
        await reloaded
      },
    },
  )
  return { engine, release: () => release(), ensureCalls: () => ensureCalls }
}

async function earnOn(engine: Engine, workerName: string) {
  grid = await startDevGrid({ mode: 'aipg' })
  const earn = earnServiceOn(db, temp.dir, 'secrets', { engine })
  services.push(earn)
  earn.configure({ network: 'aipg', gridUrl: grid.url, workerName, slots: 2, maxLength: 64, maxContextLength: 1024 })
  await earn.setApiKey('aipg', 'dev-key-alice')
  return { earn }
}

/** Registrations of a miner (the key check registers the same name advertising no models). */
const minerRegistrations = (name: string) =>
  grid.aipg.registrations.filter((r) => String(r.name).startsWith(name) && Array.isArray(r.models) && r.models.length > 0)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const poll = () => (check() ? resolve() : Date.now() > deadline ? reject(new Error('timed out')) : setTimeout(poll, 10))
    poll()
  })
}
/** After Stop, a job put on the grid stays there: no miner is left to take it. */
async function nothingTakesJobs(): Promise<void> {
  grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 } })
  await sleep(1000)
  expect(grid.pendingJobs().aipg).toBe(1)
}

describe('Start and Stop while the model is being prepared for two slots', () => {
  it('two Starts at once start one miner, and Stop stops it', async () => {
    const slow = slowEngine()
    const { earn } = await earnOn(slow.engine, 'twice')
    const first = earn.start()
    const second = earn.start()
    slow.release()
    await Promise.all([first, second])
    await until(() => earn.snapshot().state === 'waiting')
    await grid.waitFor(() => minerRegistrations('twice').length === 2, 10_000, 'both slots register')
    await sleep(300)
    expect(
      minerRegistrations('twice')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['twice-1', 'twice-2'])
    expect(slow.ensureCalls()).toBe(1)

    earn.stop()
    await until(() => earn.snapshot().state === 'off')
    await nothingTakesJobs()
  })

  it('a Stop pressed while the model is being prepared is honoured: nothing starts', async () => {
    const slow = slowEngine()
    const { earn } = await earnOn(slow.engine, 'stopped-early')
    const starting = earn.start()
    expect(earn.stop().state).toBe('stopping')
    slow.release()
    expect((await starting).state).toBe('off')
    await sleep(300)
    expect(minerRegistrations('stopped-early')).toEqual([])
    expect(earn.snapshot().state).toBe('off')
    await nothingTakesJobs()
  })

  it('cancelling Start earning while it connects leaves no miner running', async () => {
    const slow = slowEngine()
    const { earn } = await earnOn(slow.engine, 'quick-cancel')
    const ports = startEarningPorts({ models: {} as ModelsService, engine: slow.engine, earn })
    const flow = new StartEarningFlow({ ...ports, resolve: async () => ({ name: 'Tiny', path: loadedModel.path }) })
    flow.start({ kind: 'local', modelId: 'tiny' })
    await until(() => flow.snapshot().steps[2]!.state === 'active')
    expect(flow.cancel().phase).toBe('cancelled')
    slow.release()
    await flow.settled()
    expect(flow.snapshot().phase).toBe('cancelled')
    await sleep(300)
    expect(earn.snapshot().state).toBe('off')
    expect(minerRegistrations('quick-cancel')).toEqual([])
    await nothingTakesJobs()
  })
})
