import { describe, expect, it } from 'vitest'
import type { JobSettlement } from '../../src/worker/gridTransport.js'
import { hordeTransport } from '../../src/worker/transports/hordeTransport.js'
import type { WorkerConfig } from '../../src/worker/workerTypes.js'
import { FakeClock, generateResult } from '../support/workerFakes.js'

const config: WorkerConfig = {
  network: 'horde',
  gridUrl: 'http://127.0.0.1:9',
  apiKey: 'test-key',
  name: 'rig',
  models: ['koboldcpp/test'],
  slots: 1,
  maxLength: 64,
  maxContextLength: 512,
  agent: 'GridForge:0.0.0-test:https://aipowergrid.io',
}

/** A Horde that hands out one pop answer and answers every submit with `submit`. */
function fakeHorde(pop: Record<string, unknown>, submit: () => Response) {
  const requests: Array<{ path: string; body: Record<string, unknown> }> = []
  const fetch = (async (url: string | URL, init?: RequestInit) => {
    const path = new URL(String(url)).pathname
    requests.push({ path, body: JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown> })
    return path.endsWith('/pop') ? Response.json(pop) : submit()
  }) as typeof globalThis.fetch
  return { fetch, requests, submits: () => requests.filter((r) => r.path.endsWith('/submit')) }
}

const signals = () => ({ idle: new AbortController().signal, force: new AbortController().signal })
const popped = (ids: string[], ttl = 10) => ({
  id: ids[0],
  ids,
  payload: { prompt: 'Once upon a time', max_length: 8 },
  model: 'koboldcpp/test',
  ttl,
})

describe('the AI Horde transport', () => {
  it('gives up submitting once the job’s TTL would pass, retrying on the clock until then', async () => {
    const clock = new FakeClock()
    const grid = fakeHorde(popped(['job-1'], 10), () => Response.json({ message: 'Internal Server Error' }, { status: 500 }))
    const session = await hordeTransport(config, {
      clock,
      logger: { info: () => undefined, warn: () => undefined },
      fetch: grid.fetch,
    }).open(0, new AbortController().signal)
    const next = await session.next(signals())
    if (next.type !== 'job') throw new Error('expected a job')
    let settlement: JobSettlement | null = null
    void next.job
      .finish({ kind: 'done', result: generateResult('Once upon a time, a dog.') }, new AbortController().signal)
      .then((s) => (settlement = s))
    await clock.runUntil(() => settlement !== null, 5000, 'the submit to give up')
    expect(settlement).toMatchObject({
      state: 'dropped',
      reward: null,
      error: expect.stringMatching(/^Could not submit: The grid answered 500/),
    })
    expect(grid.submits().length).toBeGreaterThanOrEqual(3)
    expect(grid.submits().every((s) => s.body.generation === 'Once upon a time, a dog.' && s.body.state === 'ok')).toBe(true)
    expect(clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(10_000)
  })

  it('submits a failed job as faulted, and stops the worker when the grid refuses the key', async () => {
    const grid = fakeHorde(popped(['job-2']), () => Response.json({ message: 'Invalid API Key', rc: 'InvalidAPIKey' }, { status: 401 }))
    const session = await hordeTransport(config, {
      clock: new FakeClock(),
      logger: { info: () => undefined, warn: () => undefined },
      fetch: grid.fetch,
    }).open(0, new AbortController().signal)
    const next = await session.next(signals())
    if (next.type !== 'job') throw new Error('expected a job')
    const settlement = await next.job.finish(
      { kind: 'failed', cause: 'engine', message: 'Generation failed: boom', result: null },
      new AbortController().signal,
    )
    expect(grid.submits().map((s) => s.body)).toEqual([{ id: 'job-2', generation: 'faulted', state: 'faulted', seed: 0 }])
    // The ledger keeps why the job failed; the refusal stops the worker.
    expect(settlement).toMatchObject({
      state: 'error',
      error: 'Generation failed: boom',
      fatal: expect.stringMatching(/API key was refused/),
    })
  })

  it('hands out every id of one pop before popping again, and gives back the ones not started', async () => {
    const grid = fakeHorde(popped(['id-a', 'id-b', 'id-c']), () => Response.json({ reward: 3 }))
    const session = await hordeTransport(config, {
      clock: new FakeClock(),
      logger: { info: () => undefined, warn: () => undefined },
      fetch: grid.fetch,
    }).open(0, new AbortController().signal)
    const first = await session.next(signals())
    const second = await session.next(signals())
    expect([first, second].map((next) => (next.type === 'job' ? next.job.id : next.type))).toEqual(['id-a', 'id-b'])
    expect(grid.requests.filter((r) => r.path.endsWith('/pop'))).toHaveLength(1)
    expect(session.release().map((job) => job.id)).toEqual(['id-c'])
    expect(await session.ended).toEqual({ action: 'reconnect', message: '', byWorker: true })
  })
})
