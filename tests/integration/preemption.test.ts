import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { createHost, type Host } from '../../src/main/host/createHost.js'
import type { EarnSnapshot, Message } from '../../src/shared/domain.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

const COOLDOWN_MS = 1500
const temp = tempDataDir()
let host: Host
let grid: DevGrid

beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({ mode: 'horde' })
  host = createHost({
    dataDir: temp.dir,
    shell: 'headless',
    version: '0.0.0-test',
    launchEngine: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }),
    localCooldownMs: COOLDOWN_MS,
  })
})
afterAll(async () => {
  await host.close()
  await grid.close()
  temp.cleanup()
})

function until<T>(check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const poll = () => {
      const value = check()
      if (value !== undefined && value !== false) return resolve(value)
      if (Date.now() > deadline) return reject(new Error('timed out'))
      setTimeout(poll, 10)
    }
    poll()
  })
}

describe('local chat comes first', () => {
  it('answers a chat while mining, takes no new grid job until it is done plus the cooldown, and the job in flight still completes', async () => {
    const call = async (name: string, request: unknown) => {
      const result = await host.dispatch(name, request)
      if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
      return result.value
    }
    let earn: EarnSnapshot | null = null
    const chatDone: Message[] = []
    host.events.subscribe((name, payload) => {
      if (name === 'earn.snapshot') earn = payload as EarnSnapshot
      if (name === 'chat.message') chatDone.push(payload as Message)
    })
    await call('engine.load', { path: temp.model })
    await call('earn.configure', { network: 'horde', gridUrl: grid.url, workerName: 'preempt-rig', slots: 1, maxLength: 1500, maxContextLength: 2048 })
    await call('earn.setApiKey', { network: 'horde', apiKey: 'dev-key-alice' })
    const [inFlight] = grid.enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: 1500, max_context_length: 2048 } })
    await call('earn.start', {})
    await until(() => earn?.running.length === 1)

    const [queued] = grid.enqueueHorde({ payload: { prompt: 'The dog', max_length: 20, max_context_length: 2048 } })
    const chatStarted = Date.now()
    const sent = (await call('chat.send', { conversationId: null, text: 'Once upon a time' })) as { assistantMessage: { id: string } }
    const reply = await until(() => chatDone.find((m) => m.id === sent.assistantMessage.id))
    const chatEnded = Date.now()
    expect(reply.state).toBe('complete')
    expect(reply.content.length).toBeGreaterThan(10)

    await until(() => grid.horde.submits.find((s) => s.body.id === inFlight && s.status === 200))
    expect(grid.horde.submits.find((s) => s.body.id === inFlight)!.body).toMatchObject({ state: 'ok' })
    await until(() => grid.horde.submits.find((s) => s.body.id === queued && s.status === 200), 20_000)
    expect(grid.horde.pops.filter((p) => p.at > chatStarted && p.at < chatEnded)).toEqual([])
    const popsAfterChat = grid.horde.pops.filter((p) => p.at > chatEnded - 50)
    expect(popsAfterChat[0]!.at - chatEnded).toBeGreaterThanOrEqual(COOLDOWN_MS - 100)
    expect(host.earn.jobs(10).find((job) => job.jobId === inFlight)).toMatchObject({ state: 'ok', reward: expect.any(Number) })
    await call('earn.stop', {})
  })
})
