import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { requireBuild } from '../support/paths.js'
import { FakeClock } from '../support/workerFakes.js'
import { startWorker, workerFixture } from '../support/workerHarness.js'

let fixture: Awaited<ReturnType<typeof workerFixture>>
let grid: DevGrid
const payload = (extra: Record<string, unknown> = {}) => ({
  prompt: 'Once upon a time',
  max_length: 60,
  max_context_length: 1024,
  ...extra,
})
const submitsFor = (id: string) => grid.horde.submits.filter((s) => s.body.id === id && s.status === 200)

beforeAll(async () => {
  requireBuild()
  fixture = await workerFixture()
})
afterAll(() => fixture.close())
afterEach(() => grid?.close())

describe('the worker on the AI Horde (REST)', () => {
  it('pops with the full capability body, submits every id once and records the kudos', async () => {
    grid = await startDevGrid({ mode: 'horde' })
    const ids = [...grid.enqueueHorde({ payload: payload(), n: 2 }), ...grid.enqueueHorde({ payload: payload() })]
    const { exit } = startWorker(fixture, grid, { network: 'horde', name: 'rig-horde', maxJobs: 3 })
    await grid.waitFor(() => ids.every((id) => submitsFor(id).length === 1), 15_000, 'all submits')
    await exit

    const pop = grid.horde.pops[0]!
    expect(pop.headers.apikey).toBe('dev-key-alice')
    expect(pop.headers['client-agent']).toMatch(/^GridForge:/)
    expect(pop.body).toMatchObject({
      name: 'rig-horde',
      models: ['koboldcpp/stories260K'],
      max_length: 256,
      max_context_length: 1024,
      threads: 1,
      nsfw: false,
    })
    expect(String(pop.body.bridge_agent)).toMatch(/^GridForge:[^:]+:https:/)
    for (const id of ids) {
      expect(submitsFor(id)).toHaveLength(1)
      expect(submitsFor(id)[0]!.body).toMatchObject({ state: 'ok' })
      const recorded = fixture.ledger.list(20).find((job) => job.jobId === id)!
      expect(recorded).toMatchObject({ network: 'horde', state: 'ok' })
      expect(recorded.reward).toBe((submitsFor(id)[0]!.response as { reward: number }).reward)
    }
  })

  it('rides out 500s, a 429 with Retry-After, malformed JSON and an HTML error page', async () => {
    grid = await startDevGrid({ mode: 'horde' })
    grid.faults.hordePop.push(
      { status: 500, body: { message: 'Internal Server Error' } },
      { status: 429, body: { message: '60 per 1 second' }, headers: { 'Retry-After': '1' } },
      { status: 200, raw: '{"id": "broken' },
      { status: 502, raw: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'Content-Type': 'text/html' } },
    )
    grid.faults.hordeSubmit.push({ status: 500, body: { message: 'Internal Server Error' } })
    const [id] = grid.enqueueHorde({ payload: payload() })
    const clock = new FakeClock()
    const { exit } = startWorker(fixture, grid, { network: 'horde', maxJobs: 1 }, { clock })
    let exited = false
    void exit.then(() => (exited = true))
    await clock.runUntil(() => exited, 30_000, 'the worker to finish its job')
    expect(submitsFor(id!)).toHaveLength(1)
    expect(grid.horde.pops.map((pop) => pop.status)).toEqual([500, 429, 200, 502, 200])
    // A backoff after the 500, exactly the Retry-After after the 429, then longer backoffs; then the submit's own.
    const [afterServerError, afterTooMany, afterGarbage, afterHtml, afterSubmitError] = clock.sleeps
    expect(afterServerError).toBeGreaterThanOrEqual(1000)
    expect(afterTooMany).toBe(1000)
    expect(afterGarbage).toBeGreaterThanOrEqual(2000)
    expect(afterHtml).toBeGreaterThanOrEqual(4000)
    expect(afterSubmitError).toBeGreaterThanOrEqual(1000)
    expect(afterSubmitError).toBeLessThanOrEqual(1200)
    expect(fixture.ledger.list(5).find((job) => job.jobId === id)).toMatchObject({ state: 'ok' })
  })

  it('clamps absurd jobs and still answers them: max_length 100000, negative temperature, unknown keys, empty and oversized prompts', async () => {
    grid = await startDevGrid({ mode: 'horde' })
    const ids = [
      ...grid.enqueueHorde({
        payload: payload({ max_length: 4096, max_context_length: 100_000, temperature: -2, mirostat: 2, banana: 'yes' }),
      }),
      ...grid.enqueueHorde({ payload: payload({ prompt: '' }) }),
      ...grid.enqueueHorde({ payload: payload({ prompt: 'The dog ran. '.repeat(2000), max_context_length: 4096 }) }),
    ]
    const { exit } = startWorker(fixture, grid, { network: 'horde', maxLength: 4096, maxContextLength: 100_000, maxJobs: 3 })
    await exit
    for (const id of ids) expect(submitsFor(id), id).toHaveLength(1)
    const first = fixture.ledger.list(10).find((job) => job.jobId === ids[0])!
    expect(first.completionTokens).toBeLessThanOrEqual(4096)
  })

  it('submits faulted instead of letting the TTL run out when the job cannot run', async () => {
    grid = await startDevGrid({ mode: 'horde' })
    const [id] = grid.enqueueHorde({ payload: payload() })
    const broken = { ...fixture, engine: { generate: () => Promise.reject(new Error('engine exploded')) } }
    const { exit } = startWorker(broken as unknown as typeof fixture, grid, { network: 'horde', maxJobs: 1 })
    await exit
    expect(grid.horde.submits.find((s) => s.body.id === id)!.body).toMatchObject({ state: 'faulted', generation: 'faulted' })
    expect(fixture.ledger.list(5).find((job) => job.jobId === id)).toMatchObject({ state: 'faulted' })
  })

  it('stops with one clear sentence on a bad key and on a worker name owned by someone else', async () => {
    grid = await startDevGrid({ mode: 'horde', ownedNames: { 'taken-name': 'bob#2' } })
    const badKey = startWorker(fixture, grid, { network: 'horde', apiKey: 'not-a-real-key' })
    expect(await badKey.exit).toMatchObject({ reason: 'fatal', message: expect.stringMatching(/API key was refused/) })
    const taken = startWorker(fixture, grid, { network: 'horde', name: 'taken-name' })
    expect(await taken.exit).toMatchObject({ reason: 'fatal', message: expect.stringMatching(/belongs to another account/) })
    expect(grid.horde.pops).toHaveLength(2)
  })

  it('makes at most one request per slot per backoff (at least a second) while the grid fails, and recovers by itself', async () => {
    grid = await startDevGrid({ mode: 'horde' })
    grid.faults.down = true
    const clock = new FakeClock()
    const { exit, worker } = startWorker(fixture, grid, { network: 'horde', slots: 2, idlePollMs: 1000 }, { clock })
    for (let round = 1; round <= 3; round++) {
      await grid.waitFor(() => clock.pending().length === 2, 5000, `both slots backing off (round ${round})`)
      expect(grid.requests).toHaveLength(2 * round)
      // Asked for, not what is left: a slot may have started its sleep while the clock was moving.
      expect(Math.min(...clock.sleeps.slice(-2))).toBeGreaterThanOrEqual(1000 * 2 ** (round - 1))
      await clock.advance(Math.max(...clock.pending()))
    }
    grid.faults.down = false
    const [id] = grid.enqueueHorde({ payload: payload() })
    await clock.runUntil(() => submitsFor(id!).length === 1, 40_000, 'recovery')
    worker.stop()
    await exit
  })

  it('finishes the job in flight on a graceful stop, and faults it on a second stop', async () => {
    grid = await startDevGrid({ mode: 'horde' })
    const [graceful] = grid.enqueueHorde({ payload: payload({ max_length: 900, max_context_length: 1024 }) })
    // On a fake clock the grace period never runs out by itself, however slow the machine.
    const first = startWorker(fixture, grid, { network: 'horde', maxLength: 1000 }, { clock: new FakeClock() })
    await grid.waitFor(() => first.events.some((e) => e.type === 'job-started'), 10_000)
    first.worker.stop()
    expect(await first.exit).toMatchObject({ reason: 'stopped' })
    expect(submitsFor(graceful!)[0]!.body).toMatchObject({ state: 'ok' })

    const [forced] = grid.enqueueHorde({ payload: payload({ max_length: 900, max_context_length: 1024 }) })
    const second = startWorker(fixture, grid, { network: 'horde', maxLength: 1000 })
    await grid.waitFor(() => second.events.some((e) => e.type === 'job-progress'), 10_000)
    second.worker.stop()
    second.worker.stop()
    await second.exit
    expect(grid.horde.submits.find((s) => s.body.id === forced)!.body).toMatchObject({ state: 'faulted' })
  })
})

describe('Horde stop sequences', () => {
  it('end the generation at the stop sequence and keep it in the text, as the Horde documents', async () => {
    grid = await startDevGrid({ mode: 'horde' })
    const [id] = grid.enqueueHorde({ payload: payload({ max_length: 200, stop_sequence: ['.'] }) })
    const { exit } = startWorker(fixture, grid, { network: 'horde', maxJobs: 1 })
    await exit
    const generation = String(submitsFor(id!)[0]!.body.generation)
    expect(generation.endsWith('.')).toBe(true)
    expect(generation.slice(0, -1)).not.toContain('.')
  })
})
