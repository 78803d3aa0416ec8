import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/result.js'
import { GridError } from '../../src/grid/gridError.js'
import { createWorker, type WorkerConfig, type WorkerEvent, type WorkerExit, type WorkerPorts } from '../../src/worker/jobLoop.js'
import { createJobRunner } from '../../src/worker/jobRunner.js'
import {
  FakeClock,
  FakeGate,
  FakeJob,
  FakeTransport,
  HeldEngine,
  MemoryLedger,
  generateResult,
  instantEngine,
  settle,
} from '../support/workerFakes.js'

function setup(config: Partial<WorkerConfig> = {}, ports: Partial<WorkerPorts> = {}) {
  const clock = new FakeClock()
  const transport = new FakeTransport()
  const ledger = new MemoryLedger()
  const warnings: string[] = []
  const engine = ports.engine ?? new HeldEngine()
  const worker = createWorker(
    {
      network: 'aipg',
      gridUrl: 'http://127.0.0.1:9',
      apiKey: 'test-key',
      name: 'rig',
      models: ['grid/test-model'],
      slots: 1,
      maxLength: 64,
      maxContextLength: 512,
      agent: 'GridForge:0.0.0-test:https://aipowergrid.io',
      graceMs: 30_000,
      idlePollMs: 2000,
      ...config,
    },
    { engine, ledger, clock, transport, logger: { info: () => undefined, warn: (line) => warnings.push(line) }, ...ports },
  )
  const events: WorkerEvent[] = []
  worker.subscribe((event) => events.push(event))
  let exited: WorkerExit | null = null
  const exit = worker.run().then((value) => (exited = value))
  return {
    clock,
    transport,
    ledger,
    warnings,
    worker,
    events,
    exit,
    engine,
    exited: () => exited,
    states: () => events.flatMap((event) => (event.type === 'state' ? [event.state] : [])),
  }
}

const held = (engine: unknown) => engine as HeldEngine

describe('the job loop core', () => {
  it('reports a job whose answer the grid never acknowledged, so it is counted, and records no reward for it', async () => {
    const w = setup({ maxJobs: 1 }, { engine: instantEngine() })
    w.transport.push(new FakeJob('job-unacked', 'grid/test-model', { reward: null }))
    expect(await w.exit).toEqual({ reason: 'max-jobs', message: null })
    expect(
      w.events.filter((e) => e.type === 'job-finished' || e.type === 'job-rewarded' || e.type === 'job-unacknowledged').map((e) => e.type),
    ).toEqual(['job-finished', 'job-unacknowledged'])
    expect(w.ledger.writes.map((row) => [row.jobId, row.reward])).toEqual([['job-unacked', null]])
  })

  it('runs a job, streams it to the grid, answers it once, records it and its later reward', async () => {
    const engine = instantEngine(({ onText }) => {
      onText?.('Once', 1)
      onText?.(' upon', 2)
      return generateResult('Once upon', { completionTokens: 2 })
    })
    const w = setup({ maxJobs: 1 }, { engine })
    const job = new FakeJob('job-1')
    w.transport.push(job)
    expect(await w.exit).toEqual({ reason: 'max-jobs', message: null })

    expect(job.streamed).toEqual([
      ['content', 'Once'],
      ['content', ' upon'],
    ])
    expect(job.answers).toEqual([{ kind: 'done', result: expect.objectContaining({ text: 'Once upon' }) }])
    expect(w.ledger.writes.map((row) => [row.jobId, row.state, row.reward])).toEqual([
      ['job-1', 'ok', null],
      ['job-1', 'ok', 2.5],
    ])
    expect(w.events.filter((e) => e.type !== 'state').map((e) => e.type)).toEqual([
      'job-started',
      'job-progress',
      'job-progress',
      'job-finished',
      'job-rewarded',
    ])
    expect(w.transport.sessions[0]!.released).toBe(true)
    expect(w.states().at(-1)).toBe('stopped')
  })

  it('answers an engine failure with exactly one error, and keeps working', async () => {
    let calls = 0
    const engine = instantEngine(() => {
      calls++
      if (calls === 1) throw new Error('out of memory')
      return generateResult('fine')
    })
    const w = setup({ maxJobs: 2 }, { engine })
    const failing = new FakeJob('job-fails')
    const next = new FakeJob('job-next')
    w.transport.push(failing, next)
    await w.exit

    expect(failing.answers).toEqual([{ kind: 'failed', cause: 'engine', message: 'Generation failed: out of memory', result: null }])
    expect(w.ledger.get('job-fails')).toMatchObject({ state: 'error', error: 'Generation failed: out of memory', reward: 0 })
    expect(next.answers).toHaveLength(1)
    expect(w.ledger.get('job-next')).toMatchObject({ state: 'ok' })
  })

  it('pauses through the clock before the next job when the engine is down', async () => {
    let calls = 0
    const engine = instantEngine(() => {
      calls++
      if (calls === 1) throw new AppError('ENGINE_CRASHED', 'The engine stopped.')
      return generateResult('fine')
    })
    const w = setup({}, { engine })
    w.transport.push(new FakeJob('job-crash'), new FakeJob('job-after'))
    await settle()
    expect(w.events).toContainEqual({
      type: 'state',
      state: 'backoff',
      detail: 'The model is not available; waiting before taking more jobs.',
      problem: 'The model is not available; waiting before taking more jobs.',
    })
    expect(calls).toBe(1)
    expect(w.clock.pending()).toEqual([5000])
    await w.clock.advance(5000)
    expect(calls).toBe(2)
    w.worker.stop()
    await w.exit
  })

  it('tells the grid when the request itself is at fault, and never runs it', async () => {
    const engine = instantEngine(() => {
      throw new AppError('BAD_REQUEST', 'The conversation is longer than this worker’s context (512 tokens).')
    })
    const w = setup({ maxJobs: 2 }, { engine })
    const unreadable = new FakeJob('job-bad', undefined, { badRequest: 'The request has no user message.' })
    const tooLong = new FakeJob('job-long')
    w.transport.push(unreadable, tooLong)
    await w.exit

    expect(unreadable.answers).toEqual([{ kind: 'failed', cause: 'request', message: 'The request has no user message.', result: null }])
    expect(engine.calls).toBe(1)
    expect(tooLong.answers).toEqual([
      { kind: 'failed', cause: 'request', message: 'The conversation is longer than this worker’s context (512 tokens).', result: null },
    ])
    expect(w.ledger.get('job-bad')).toMatchObject({ state: 'error', reward: 0 })
  })

  it('answers a job cut off by a forced stop as stopped, with its partial counts', async () => {
    const w = setup()
    const job = new FakeJob('job-forced')
    w.transport.push(job)
    await settle()
    expect(held(w.engine).running).toBe(1)
    w.worker.stop()
    w.worker.stop()
    expect(await w.exit).toEqual({ reason: 'stopped', message: null })
    expect(job.answers).toEqual([
      {
        kind: 'failed',
        cause: 'stopped',
        message: 'The worker was stopped before the job finished.',
        result: expect.objectContaining({ text: 'Once' }),
      },
    ])
    expect(w.ledger.get('job-forced')).toMatchObject({ state: 'faulted', completionTokens: 1 })
  })

  it('answers a job the grid cancels with its partial text, as cancelled', async () => {
    const w = setup({ maxJobs: 1 })
    const job = new FakeJob('job-cancelled')
    w.transport.push(job)
    await settle()
    job.cancel()
    await w.exit
    expect(job.answers).toEqual([{ kind: 'done', result: expect.objectContaining({ text: 'Once', finishReason: 'abort' }) }])
    expect(w.ledger.get('job-cancelled')).toMatchObject({ state: 'cancelled' })
  })

  it('still answers a job the grid cancelled with its partial text when a forced stop lands too', async () => {
    const w = setup()
    const job = new FakeJob('job-cancelled-then-forced')
    w.transport.push(job)
    await settle()
    job.cancel()
    w.worker.stop()
    w.worker.stop()
    await w.exit
    expect(job.answers).toEqual([{ kind: 'done', result: expect.objectContaining({ text: 'Once' }) }])
    expect(w.ledger.get('job-cancelled-then-forced')).toMatchObject({ state: 'cancelled' })
  })

  it('answers the grid and keeps working when the ledger cannot be written', async () => {
    const warnings: string[] = []
    const w = setup(
      { maxJobs: 2 },
      {
        engine: instantEngine(),
        ledger: {
          record: () => {
            throw new Error('SQLITE_FULL: database or disk is full')
          },
        },
        logger: { info: () => undefined, warn: (line) => warnings.push(line) },
      },
    )
    const jobs = [new FakeJob('job-a'), new FakeJob('job-b')]
    w.transport.push(...jobs)
    expect(await w.exit).toEqual({ reason: 'max-jobs', message: null })
    expect(jobs.map((job) => job.answers.length)).toEqual([1, 1])
    expect(warnings.filter((line) => line.includes('SQLITE_FULL'))).toHaveLength(4)
    expect(w.events.filter((e) => e.type === 'job-finished')).toHaveLength(2)
  })

  it('on a graceful stop finishes the job in flight and takes no new one', async () => {
    const w = setup()
    const job = new FakeJob('job-graceful')
    w.transport.push(job)
    await settle()
    w.worker.stop()
    w.transport.push(new FakeJob('job-too-late'))
    await w.clock.advance(29_000)
    const generation = held(w.engine).calls[0]!
    expect(generation.handlers.signal?.aborted).toBe(false)
    expect(job.answers).toEqual([])
    generation.complete()
    expect(await w.exit).toEqual({ reason: 'stopped', message: null })
    expect(job.answers).toEqual([{ kind: 'done', result: expect.objectContaining({ text: 'Once upon a time' }) }])
    expect(w.transport.queued).toBe(1)
    expect(w.states()).toContain('stopping')
  })

  it('on a graceful stop cancels the job in flight once the grace period is over', async () => {
    const w = setup({ graceMs: 10_000 })
    const job = new FakeJob('job-slow')
    w.transport.push(job)
    await settle()
    w.worker.stop()
    await w.clock.advance(9_999)
    expect(w.exited()).toBeNull()
    await w.clock.advance(1)
    expect(await w.exit).toEqual({ reason: 'stopped', message: null })
    expect(job.answers).toEqual([expect.objectContaining({ kind: 'failed', cause: 'stopped' })])
  })

  it('takes no job while the gate is closed, lets the job in flight finish, and resumes when it opens', async () => {
    const gate = new FakeGate()
    const w = setup({}, { gate })
    const first = new FakeJob('job-in-flight')
    w.transport.push(first)
    await settle()
    gate.close()
    w.transport.push(new FakeJob('job-later'))
    held(w.engine).calls[0]!.complete()
    await settle()
    expect(first.answers).toHaveLength(1)
    expect(w.transport.sessions).toHaveLength(1)
    expect(w.transport.sessions[0]!.released).toBe(true)
    expect(w.transport.queued).toBe(1)
    expect(w.states().at(-1)).toBe('paused')

    gate.reopen()
    await settle()
    expect(w.transport.sessions).toHaveLength(2)
    expect(w.transport.sessions[1]!.handed.map((job) => job.id)).toEqual(['job-later'])
    w.worker.stop()
    w.worker.stop()
    await w.exit
  })

  it('releases an idle session as soon as the gate closes', async () => {
    const gate = new FakeGate()
    const w = setup({}, { gate })
    await settle()
    expect(w.transport.live()).toHaveLength(1)
    gate.close()
    await settle()
    expect(w.transport.live()).toHaveLength(0)
    w.worker.stop()
    await w.exit
  })

  it('stops after --max-jobs across slots and never takes more', async () => {
    const w = setup({ maxJobs: 2, slots: 2 }, { engine: instantEngine() })
    const jobs = Array.from({ length: 5 }, (_, i) => new FakeJob(`job-${i}`))
    w.transport.push(...jobs)
    expect(await w.exit).toEqual({ reason: 'max-jobs', message: null })
    expect(jobs.filter((job) => job.answers.length > 0)).toHaveLength(2)
    expect(jobs.every((job) => job.answers.length <= 1)).toBe(true)
    expect(w.transport.queued).toBe(3)
  })

  it('answers jobs received but never started when it stops taking jobs', async () => {
    const w = setup({ maxJobs: 1 }, { engine: instantEngine() })
    await settle()
    const extra = new FakeJob('job-extra-id')
    w.transport.sessions[0]!.leftovers = [extra]
    w.transport.push(new FakeJob('job-first'))
    await w.exit
    expect(extra.answers).toEqual([
      { kind: 'failed', cause: 'not-started', message: 'The worker stopped before it could run this job.', result: null },
    ])
    expect(w.ledger.get('job-extra-id')).toMatchObject({ state: 'faulted' })
  })

  it('records a job whose connection drops mid-way as dropped, then reconnects after a backoff on the clock', async () => {
    const w = setup()
    const job = new FakeJob('job-dropped')
    w.transport.push(job)
    await settle()
    w.transport.sessions[0]!.drop('Connection closed (1006).')
    await settle()
    expect(job.answers).toHaveLength(1)
    expect(w.ledger.get('job-dropped')).toMatchObject({ state: 'dropped', reward: null })
    // The sentence says when it reconnects; the problem alone is what the Earn view and Start earning report.
    expect(w.events).toContainEqual({
      type: 'state',
      state: 'backoff',
      detail: expect.stringMatching(/^Connection closed \(1006\)\. Reconnecting in 1 s\.$/),
      problem: 'Connection closed (1006).',
    })
    expect(w.transport.sessions).toHaveLength(1)
    const [wait] = w.clock.pending()
    expect(wait).toBeGreaterThanOrEqual(1000)
    expect(wait).toBeLessThanOrEqual(1200)
    await w.clock.advance(wait!)
    expect(w.transport.sessions).toHaveLength(2)
    w.worker.stop()
    await w.exit
  })

  it('backs off exponentially through the clock while the grid fails, honours Retry-After, and resets after a success', async () => {
    const w = setup()
    w.transport.openFailures.push(
      new GridError('unreachable', '127.0.0.1:7001 refused the connection; the server is down or the address is wrong.'),
      new GridError('unreachable', '127.0.0.1:7001 refused the connection; the server is down or the address is wrong.'),
      new GridError('rate-limited', 'The grid answered 429', { retryAfterMs: 60_000 }),
      new GridError('unreachable', '127.0.0.1:7001 refused the connection; the server is down or the address is wrong.'),
    )
    await settle()
    const waits: number[] = []
    for (let i = 0; i < 3; i++) {
      const [wait] = w.clock.pending()
      waits.push(wait!)
      expect(w.transport.sessions).toHaveLength(0)
      await w.clock.advance(wait!)
    }
    expect(waits[0]).toBeGreaterThanOrEqual(1000)
    expect(waits[0]).toBeLessThanOrEqual(1200)
    expect(waits[1]).toBeGreaterThanOrEqual(2000)
    expect(waits[1]).toBeLessThanOrEqual(2400)
    expect(waits[2]).toBe(60_000)
    // The Retry-After wait did not count as a step: the next one is 4 s.
    const [fourth] = w.clock.pending()
    expect(fourth).toBeGreaterThanOrEqual(4000)
    expect(fourth).toBeLessThanOrEqual(4800)
    await w.clock.advance(fourth!)
    expect(w.transport.sessions).toHaveLength(1)
    expect(w.states()).toContain('backoff')
    w.worker.stop()
    await w.exit
  })

  it('stops with the grid’s sentence on a configuration error, and does not retry', async () => {
    const w = setup()
    w.transport.openFailures.push(new GridError('key-refused', 'The API key was refused; check it.'))
    expect(await w.exit).toEqual({ reason: 'fatal', message: 'The API key was refused; check it.' })
    expect(w.transport.sessions).toHaveLength(0)
    expect(w.clock.sleeps.filter((ms) => ms !== 30_000)).toEqual([])
  })

  it('stops when the grid ends a session for a reason only the user can fix', async () => {
    const w = setup()
    await settle()
    w.transport.sessions[0]!.drop('The API key was refused (revoked); paste a new one.', 'stop')
    expect(await w.exit).toEqual({ reason: 'fatal', message: 'The API key was refused (revoked); paste a new one.' })
  })

  it('asks a polling grid again only after the idle interval on the clock', async () => {
    const w = setup({ idlePollMs: 2000 }, { engine: instantEngine() })
    w.transport.poll = true
    await settle()
    expect(w.clock.pending()).toEqual([2000])
    w.transport.push(new FakeJob('job-polled'))
    expect(w.transport.sessions[0]!.handed).toHaveLength(0)
    await w.clock.advance(2000)
    expect(w.transport.sessions[0]!.handed.map((job) => job.id)).toEqual(['job-polled'])
    w.worker.stop()
    await w.exit
  })

  it('keeps stopping and answering when a listener throws, and the other listeners still hear every event', async () => {
    const clock = new FakeClock()
    const transport = new FakeTransport()
    const warnings: string[] = []
    const engine = new HeldEngine()
    const worker = createWorker(
      {
        network: 'aipg',
        gridUrl: 'http://127.0.0.1:9',
        apiKey: 'k',
        name: 'rig',
        models: ['m'],
        slots: 1,
        maxLength: 64,
        maxContextLength: 512,
        agent: 'GridForge:t:x',
      },
      { engine, ledger: new MemoryLedger(), clock, transport, logger: { info: () => undefined, warn: (line) => warnings.push(line) } },
    )
    worker.subscribe(() => {
      throw new Error('Object has been destroyed')
    })
    const heard: WorkerEvent[] = []
    worker.subscribe((event) => heard.push(event))
    const exit = worker.run()
    const job = new FakeJob('job-listeners')
    transport.push(job)
    await settle()
    expect(() => worker.stop()).not.toThrow()
    engine.calls[0]!.complete()
    expect(await exit).toEqual({ reason: 'stopped', message: null })
    expect(job.answers).toHaveLength(1)
    expect(heard.map((event) => event.type)).toEqual(expect.arrayContaining(['job-started', 'job-finished', 'job-rewarded']))
    expect(heard).toContainEqual({ type: 'state', state: 'stopping', detail: null })
    expect(warnings.some((line) => line.includes('Object has been destroyed'))).toBe(true)
  })

  it('passes reasoning and tool-call deltas to the transport in order, with the engine’s finish reason', async () => {
    const engine = instantEngine(({ onReasoning, onText, onToolCall }) => {
      onReasoning?.('The user wants', 1)
      onReasoning?.(' a lookup.', 2)
      onText?.('Let me check.', 3)
      onToolCall?.({ index: 0, id: 'call_a1', name: 'lookup', argumentsText: '{"q":' }, 4)
      onToolCall?.({ index: 0, id: 'call_a1', name: 'lookup', argumentsText: '"tea"}' }, 5)
      return generateResult('Let me check.', {
        reasoning: 'The user wants a lookup.',
        toolCalls: [{ id: 'call_a1', name: 'lookup', arguments: '{"q":"tea"}' }],
        finishReason: 'tool-calls',
        completionTokens: 5,
      })
    })
    const w = setup({ maxJobs: 1 }, { engine })
    const job = new FakeJob('job-tools')
    w.transport.push(job)
    await w.exit
    expect(job.streamed).toEqual([
      ['reasoning', 'The user wants'],
      ['reasoning', ' a lookup.'],
      ['content', 'Let me check.'],
      ['tool-call', { index: 0, id: 'call_a1', name: 'lookup', argumentsText: '{"q":' }],
      ['tool-call', { index: 0, id: 'call_a1', name: 'lookup', argumentsText: '"tea"}' }],
    ])
    expect(job.answers).toEqual([
      { kind: 'done', result: expect.objectContaining({ finishReason: 'tool-calls', reasoning: 'The user wants a lookup.' }) },
    ])
    expect(w.events.filter((e) => e.type === 'job-progress').map((e) => (e as { tokens: number }).tokens)).toEqual([1, 2, 3, 4, 5])
  })

  it('never answers a job twice, even if asked to', async () => {
    const warnings: string[] = []
    const ledger = new MemoryLedger()
    const runner = createJobRunner({
      network: 'aipg',
      engine: instantEngine(),
      ledger,
      clock: new FakeClock(),
      logger: { info: () => undefined, warn: (line) => warnings.push(line) },
      limits: { maxLength: 64, maxContextLength: 512 },
      force: new AbortController().signal,
      emit: () => undefined,
      setWorking: () => undefined,
      fatal: () => undefined,
    })
    const job = new FakeJob('job-twice')
    await runner.run(0, job)
    await runner.finishJob(job, { kind: 'failed', cause: 'not-started', message: 'late', result: null }, 0)
    expect(job.answers).toHaveLength(1)
    expect(ledger.get('job-twice')).toMatchObject({ state: 'ok' })
    expect(warnings).toEqual([expect.stringMatching(/already answered/)])
  })
})
