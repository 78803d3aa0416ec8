import { describe, expect, it } from 'vitest'
import type { Message } from '../../src/shared/domain.js'
import { until, useEarnHost } from './hostHarness.js'

const COOLDOWN_MS = 1500
const { temp, host, grid, call, earn } = useEarnHost({ horde: { mode: 'horde' } }, { localCooldownMs: COOLDOWN_MS })

describe('local chat comes first', () => {
  it('answers a chat while mining, takes no new grid job until it is done plus the cooldown, and the job in flight still completes', async () => {
    const chatDone: Message[] = []
    host().events.subscribe((name, payload) => {
      if (name === 'chat.message') chatDone.push(payload as Message)
    })
    await call('engine.load', { path: temp.model })
    await call('earn.configure', {
      network: 'horde',
      gridUrl: grid('horde').url,
      workerName: 'preempt-rig',
      slots: 1,
      maxLength: 1500,
      maxContextLength: 2048,
    })
    await call('earn.setApiKey', { network: 'horde', apiKey: 'dev-key-alice' })
    const [inFlight] = grid('horde').enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: 1500, max_context_length: 2048 } })
    await call('earn.start', {})
    await until(() => earn()?.running.length === 1)

    const [queued] = grid('horde').enqueueHorde({ payload: { prompt: 'The dog', max_length: 20, max_context_length: 2048 } })
    const chatStarted = Date.now()
    const sent = (await call('chat.send', { conversationId: null, text: 'Once upon a time' })) as { assistantMessage: { id: string } }
    const reply = await until(() => chatDone.find((m) => m.id === sent.assistantMessage.id))
    const chatEnded = Date.now()
    expect(reply.state).toBe('complete')
    expect(reply.content.length).toBeGreaterThan(10)

    await until(() => grid('horde').horde.submits.find((s) => s.body.id === inFlight && s.status === 200))
    expect(grid('horde').horde.submits.find((s) => s.body.id === inFlight)!.body).toMatchObject({ state: 'ok' })
    await until(() => grid('horde').horde.submits.find((s) => s.body.id === queued && s.status === 200), 20_000)
    expect(grid('horde').horde.pops.filter((p) => p.at > chatStarted && p.at < chatEnded)).toEqual([])
    const popsAfterChat = grid('horde').horde.pops.filter((p) => p.at > chatEnded - 50)
    expect(popsAfterChat[0]!.at - chatEnded).toBeGreaterThanOrEqual(COOLDOWN_MS - 100)
    expect(
      host()
        .earn.jobs(10)
        .find((job) => job.jobId === inFlight),
    ).toMatchObject({ state: 'ok', reward: expect.any(Number) })
    await call('earn.stop', {})
  })
})
