import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startDevGrid, type DevGrid, type DevGridEvent } from '../support/devGrid/index.js'
import { requireBuild } from '../support/paths.js'
import { FakeClock, FakeGate } from '../support/workerFakes.js'
import { startWorker, workerFixture } from '../support/workerHarness.js'

let fixture: Awaited<ReturnType<typeof workerFixture>>
let grid: DevGrid
const story = (extra: Record<string, unknown> = {}) => ({
  model: 'grid/stories260K',
  messages: [{ role: 'user', content: 'Once upon a time' }],
  max_tokens: 60,
  temperature: 0.8,
  ...extra,
})

beforeAll(async () => {
  requireBuild()
  fixture = await workerFixture()
})
afterAll(() => fixture.close())
afterEach(() => grid?.close())

describe('the worker on AIPG (WebSocket)', () => {
  it('registers, runs jobs through the engine, streams tokens and records the rewards', async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    const ids = [grid.enqueueAipg({ request: story() }), grid.enqueueAipg({ request: story() }), grid.enqueueAipg({ request: story() })]
    const { exit } = startWorker(fixture, grid, { network: 'aipg', maxJobs: 3 })
    expect(await exit).toMatchObject({ reason: 'max-jobs' })
    await grid.waitFor(() => ids.every((id) => grid.aipg.results.get(id)?.done !== undefined), 5000, 'all done frames')

    const registration = grid.aipg.registrations[0]!
    expect(registration).toMatchObject({ apikey: 'dev-key-alice', models: ['grid/stories260K'], max_length: 256, max_context_length: 1024 })
    expect(String(registration.bridge_agent)).toMatch(/^GridForge:/)
    // Each job ran once: the next job, pushed right after `done`, is taken, not refused as "busy".
    expect(grid.aipg.frames.filter((f) => f.frame.type === 'error')).toEqual([])
    for (const id of ids) {
      const result = grid.aipg.results.get(id)!
      expect(result.attempts).toBe(1)
      expect(result.tokens.length).toBeGreaterThan(0)
      expect(result.done).toMatchObject({ id, finish_reason: expect.stringMatching(/stop|length/) })
      expect(String(result.done!.full_text).length).toBeGreaterThan(0)
      const usage = result.done!.usage as { completion_tokens: number }
      expect(usage.completion_tokens).toBeGreaterThan(0)
      expect(usage.completion_tokens).toBeLessThanOrEqual(60)
    }
    // The worker waits for the rewards before it exits.
    expect(ids.every((id) => grid.aipg.results.get(id)?.acked !== undefined)).toBe(true)
    const ledger = fixture.ledger.list(10).filter((job) => ids.includes(job.jobId))
    expect(ledger).toHaveLength(3)
    for (const job of ledger) {
      expect(job).toMatchObject({ network: 'aipg', model: 'grid/stories260K', state: 'ok' })
      expect(job.reward).toBe(grid.aipg.results.get(job.jobId)!.acked)
      expect(job.completionTokens).toBeGreaterThan(0)
    }
  })

  it('answers a cancel with done, cancelled and the partial text', async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    grid.faults.cancelAfterTokens = 1
    const id = grid.enqueueAipg({ request: story({ max_tokens: 256 }) })
    const { exit } = startWorker(fixture, grid, { network: 'aipg', maxJobs: 1 })
    await exit
    await grid.waitFor(() => grid.aipg.results.get(id)?.done !== undefined, 5000, 'the done frame')
    const done = grid.aipg.results.get(id)!.done!
    expect(done).toMatchObject({ id, cancelled: true })
    expect((done.usage as { completion_tokens: number }).completion_tokens).toBeLessThan(256)
    expect(fixture.ledger.list(5).find((job) => job.jobId === id)).toMatchObject({ state: 'cancelled' })
  })

  it('reconnects after the socket drops mid-job, and the requeued job completes', async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    grid.faults.dropAfterTokens = 1
    const id = grid.enqueueAipg({ request: story({ max_tokens: 200 }) })
    const clock = new FakeClock()
    const { exit, worker, events } = startWorker(fixture, grid, { network: 'aipg' }, { clock })
    await clock.runUntil(() => grid.aipg.results.get(id)?.done !== undefined, 15_000, 'the requeued job to finish')
    expect(events).toContainEqual({
      type: 'state',
      state: 'backoff',
      detail: expect.stringMatching(/^Connection closed \(1006\)\. Reconnecting in 1 s\.$/),
      problem: 'Connection closed (1006).',
    })
    worker.stop()
    await exit
    expect(grid.aipg.results.get(id)!.attempts).toBe(2)
    expect(grid.aipg.registrations.length).toBeGreaterThanOrEqual(2)
    expect(fixture.ledger.list(5).find((job) => job.jobId === id)).toMatchObject({ state: 'ok' })
  })

  it('tells the grid when a request is its own fault (no user message)', async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    const id = grid.enqueueAipg({ request: { model: 'grid/stories260K', messages: [{ role: 'system', content: 'only a system prompt' }] } })
    const { exit } = startWorker(fixture, grid, { network: 'aipg', maxJobs: 1 })
    await exit
    await grid.waitFor(() => grid.aipg.results.get(id)?.error !== undefined, 5000, 'the error frame')
    expect(grid.aipg.results.get(id)!.error).toMatchObject({ id, client_error: true })
    expect(fixture.ledger.list(5).find((job) => job.jobId === id)).toMatchObject({ state: 'error' })
  })

  it("clamps absurd requests (max_tokens 10^9, negative temperature, unknown keys) and refuses a prompt beyond the context as the client's error", async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    const long = 'The little dog ran to the tree. '.repeat(400)
    const absurd = grid.enqueueAipg({
      request: story({ max_tokens: 1_000_000_000, temperature: -4, frobnicate: true, logit_bias: { 5: 100 } }),
    })
    const tooLong = grid.enqueueAipg({ request: story({ messages: [{ role: 'user', content: long }], max_tokens: 40 }) })
    const next = grid.enqueueAipg({ request: story() })
    const { exit } = startWorker(fixture, grid, { network: 'aipg', maxJobs: 3 })
    await exit
    await grid.waitFor(() => [absurd, next].every((id) => grid.aipg.results.get(id)?.done !== undefined), 5000, 'the done frames')
    for (const id of [absurd, next]) {
      expect((grid.aipg.results.get(id)!.done!.usage as { completion_tokens: number }).completion_tokens, id).toBeLessThanOrEqual(256)
    }
    await grid.waitFor(() => grid.aipg.results.get(tooLong)?.error !== undefined, 5000, 'the error frame')
    expect(grid.aipg.results.get(tooLong)!.error).toMatchObject({
      id: tooLong,
      client_error: true,
      message: expect.stringMatching(/context/),
    })
    expect(grid.aipg.results.get(tooLong)!.done).toBeUndefined()
  })

  it('stops with one clear sentence on a bad key and on a name owned by someone else', async () => {
    grid = await startDevGrid({ mode: 'aipg', ownedNames: { 'taken-name': 'bob#2' } })
    const badKey = startWorker(fixture, grid, { network: 'aipg', apiKey: 'not-a-real-key' })
    expect(await badKey.exit).toMatchObject({ reason: 'fatal', message: expect.stringMatching(/API key was refused/) })
    const taken = startWorker(fixture, grid, { network: 'aipg', name: 'taken-name' })
    expect(await taken.exit).toMatchObject({ reason: 'fatal', message: expect.stringMatching(/refused this worker/) })
    expect(grid.requests.filter((r) => r.method === 'WS')).toHaveLength(2)
  })

  it('runs one connection per slot under distinct names', async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    for (let i = 0; i < 4; i++) grid.enqueueAipg({ request: story() })
    const { exit } = startWorker(fixture, grid, { network: 'aipg', name: 'rig', slots: 2, maxJobs: 4 })
    await exit
    expect(new Set(grid.aipg.registrations.map((r) => r.name))).toEqual(new Set(['rig-1', 'rig-2']))
  })

  it('waits out a growing backoff between attempts while the grid is down, and recovers by itself', async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    grid.faults.down = true
    const clock = new FakeClock()
    const { exit, worker, events } = startWorker(fixture, grid, { network: 'aipg' }, { clock })
    const attempts = () => grid.requests.filter((r) => r.method === 'WS').length
    const waits: number[] = []
    for (let attempt = 1; attempt <= 3; attempt++) {
      await grid.waitFor(() => clock.pending().length === 1, 5000, `backoff after attempt ${attempt}`)
      // No new attempt until the backoff has passed on the worker's clock.
      expect(attempts()).toBe(attempt)
      waits.push(clock.sleeps.at(-1)!)
      await clock.advance(clock.pending()[0]!)
    }
    expect(waits[0]).toBeGreaterThanOrEqual(1000)
    expect(waits[1]).toBeGreaterThanOrEqual(2 * waits[0]! * 0.8)
    expect(waits[2]).toBeGreaterThanOrEqual(2 * waits[1]! * 0.8)
    expect(events).toContainEqual({
      type: 'state',
      state: 'backoff',
      detail: expect.stringMatching(/refused the WebSocket \(HTTP 503\)\. Retrying in \d+ s\./),
      problem: expect.stringMatching(/refused the WebSocket \(HTTP 503\)\.$/),
    })
    grid.faults.down = false
    const id = grid.enqueueAipg({ request: story() })
    await clock.runUntil(() => grid.aipg.results.get(id)?.done !== undefined, 20_000, 'recovery')
    worker.stop()
    await exit
  })
})

describe('the AIPG worker behind a closed gate', () => {
  it('leaves the socket while the gate is closed, so the grid keeps its jobs, and comes back when it opens', async () => {
    const seen: DevGridEvent[] = []
    grid = await startDevGrid({ mode: 'aipg', onEvent: (event) => seen.push(event) })
    const gate = new FakeGate()
    const { exit, worker } = startWorker(fixture, grid, { network: 'aipg' }, { gate })
    await grid.waitFor(() => seen.some((e) => e.type === 'worker' && e.change === 'joined'), 5000, 'the worker to join')
    gate.close()
    await grid.waitFor(() => seen.some((e) => e.type === 'worker' && e.change === 'left'), 5000, 'the worker to leave')
    const id = grid.enqueueAipg({ request: story({ max_tokens: 20 }) })
    expect(grid.pendingJobs().aipg).toBe(1)
    expect(grid.aipg.results.has(id)).toBe(false)
    gate.reopen()
    await grid.waitFor(() => grid.aipg.results.get(id)?.done !== undefined, 10_000, 'the job after the gate opened')
    expect(grid.aipg.registrations).toHaveLength(2)
    worker.stop()
    await exit
  })
})

describe('stopping the AIPG worker', () => {
  it('finishes the job in flight on a graceful stop, and errors it on a second stop', async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    const graceful = grid.enqueueAipg({ request: story({ max_tokens: 900 }) })
    // On a fake clock the grace period never runs out by itself, however slow the machine.
    const first = startWorker(fixture, grid, { network: 'aipg', maxLength: 1000 }, { clock: new FakeClock() })
    await grid.waitFor(() => (grid.aipg.results.get(graceful)?.tokens.length ?? 0) > 0, 10_000, 'first tokens')
    first.worker.stop()
    expect(await first.exit).toMatchObject({ reason: 'stopped' })
    await grid.waitFor(() => grid.aipg.results.get(graceful)?.done !== undefined, 5000, 'done')
    expect(grid.aipg.results.get(graceful)!.done).not.toHaveProperty('cancelled')

    const forced = grid.enqueueAipg({ request: story({ max_tokens: 900 }) })
    const second = startWorker(fixture, grid, { network: 'aipg', maxLength: 1000 })
    await grid.waitFor(() => (grid.aipg.results.get(forced)?.tokens.length ?? 0) > 0, 10_000, 'first tokens')
    second.worker.stop()
    second.worker.stop()
    await second.exit
    await grid.waitFor(() => grid.aipg.results.get(forced)?.error !== undefined, 5000, 'error frame')
    expect(grid.aipg.results.get(forced)!.error).toMatchObject({ client_error: false })
  })
})
