import type { GenerateRequest, GenerateResult, ToolCallDelta } from '../../src/shared/generation.js'
import type {
  GridJob,
  GridSession,
  GridTransport,
  JobOutcome,
  JobSettlement,
  NextJob,
  NextSignals,
  SessionEnd,
} from '../../src/worker/gridTransport.js'
import { BadJobRequest } from '../../src/worker/params.js'
import type { Clock, GenerationEngine, JobGate, JobRecord } from '../../src/worker/ports.js'

/** Lets pending promise chains run; no time passes on any clock. */
export const settle = async (rounds = 5) => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** A clock that moves only when the test says so. `sleeps` lists every sleep asked for, in order. */
export class FakeClock implements Clock {
  private time = 1_000_000
  private timers: Array<{ at: number; fire: () => void }> = []
  readonly sleeps: number[] = []

  now(): number {
    return this.time
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms)
    if (signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = {
        at: this.time + ms,
        fire: () => {
          this.timers = this.timers.filter((t) => t !== timer)
          signal?.removeEventListener('abort', timer.fire)
          resolve()
        },
      }
      signal?.addEventListener('abort', timer.fire, { once: true })
      this.timers.push(timer)
    })
  }

  /** Moves time forward, firing each due sleep in order and letting what it wakes run. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms
    for (;;) {
      await settle()
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0]
      if (!due) break
      this.time = due.at
      due.fire()
    }
    this.time = target
    await settle()
  }

  /**
   * For a worker on a real grid: whenever the worker sleeps on this clock, jumps to the end of the
   * shortest sleep, until `done()` (checked every 10 ms of real time, like the dev grid's waitFor).
   */
  async runUntil(done: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`FakeClock.runUntil: timed out after ${timeoutMs} ms waiting for ${what}`)
      const shortest = Math.min(...this.pending())
      if (Number.isFinite(shortest)) await this.advance(shortest)
      else await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  /** How long each sleep still running has left. */
  pending(): number[] {
    return this.timers.map((t) => t.at - this.time)
  }
}

/** What a fake job was streamed and answered, in order. */
export type StreamEvent = ['content', string] | ['reasoning', string] | ['tool-call', ToolCallDelta]

export class FakeJob implements GridJob {
  readonly streamed: StreamEvent[] = []
  readonly answers: JobOutcome[] = []
  private readonly abort = new AbortController()
  private cancelled = false
  session: FakeSession | null = null

  constructor(
    readonly id: string,
    readonly model = 'grid/test-model',
    private readonly options: { badRequest?: string; reward?: number | null } = {},
  ) {}

  get abandoned(): AbortSignal {
    return this.abort.signal
  }

  /** The grid cancels: the partial answer is still wanted. */
  cancel(): void {
    this.cancelled = true
    this.abort.abort()
  }

  /** The connection carrying this job is gone. */
  lose(): void {
    this.abort.abort()
  }

  cancelledByGrid(): boolean {
    return this.cancelled
  }

  toRequest(): GenerateRequest {
    if (this.options.badRequest) throw new BadJobRequest(this.options.badRequest)
    return { kind: 'chat', turns: [{ role: 'user', content: 'Once upon a time' }], params: { maxTokens: 16 } }
  }

  readonly stream = {
    content: (text: string) => this.streamed.push(['content', text]),
    reasoning: (text: string) => this.streamed.push(['reasoning', text]),
    toolCall: (delta: ToolCallDelta) => this.streamed.push(['tool-call', delta]),
  }

  finish(outcome: JobOutcome): Promise<JobSettlement> {
    this.answers.push(outcome)
    this.session?.finished(this)
    if (this.abort.signal.aborted && !this.cancelled)
      return Promise.resolve({ state: 'dropped', error: 'The connection to the grid was lost during the job.', reward: null })
    if (outcome.kind === 'failed') {
      const state = outcome.cause === 'request' || outcome.cause === 'engine' ? 'error' : 'faulted'
      return Promise.resolve({ state, error: outcome.message, reward: 0 })
    }
    const reward = this.options.reward === undefined ? 2.5 : this.options.reward
    return Promise.resolve({ state: this.cancelled ? 'cancelled' : 'ok', error: null, reward: null, laterReward: Promise.resolve(reward) })
  }
}

/** One session of the fake grid; jobs come from the transport's queue, like AIPG pushes them. */
export class FakeSession implements GridSession {
  readonly ended: Promise<SessionEnd>
  private endWith!: (end: SessionEnd) => void
  private waiter: ((next: NextJob) => void) | null = null
  released = false
  isOver = false
  running: FakeJob | null = null
  /** Jobs handed to the worker that it started, in order. */
  readonly handed: FakeJob[] = []
  /** What release() gives back as received but never started. */
  leftovers: FakeJob[] = []

  constructor(
    private readonly transport: FakeTransport,
    readonly slot: number,
  ) {
    this.ended = new Promise((resolve) => (this.endWith = resolve))
  }

  next(signals: NextSignals): Promise<NextJob> {
    if (this.isOver) return Promise.resolve({ type: 'closed' })
    const job = this.transport.take()
    if (job) return Promise.resolve(this.hand(job))
    if (this.transport.poll) return Promise.resolve({ type: 'none' })
    return new Promise((resolve) => {
      const interrupt = () => this.wake({ type: 'none' })
      signals.idle.addEventListener('abort', interrupt, { once: true })
      this.waiter = (next) => {
        signals.idle.removeEventListener('abort', interrupt)
        resolve(next)
      }
      if (signals.idle.aborted) interrupt()
    })
  }

  release(): GridJob[] {
    this.released = true
    this.end({ action: 'reconnect', message: '', byWorker: true })
    const leftovers = this.leftovers
    this.leftovers = []
    return leftovers
  }

  /** The grid (or the network) ends the session; the job on it, if any, loses its connection. */
  drop(message = 'Connection closed (1006).', action: 'reconnect' | 'stop' = 'reconnect'): void {
    this.running?.lose()
    this.end({ action, message, byWorker: false })
  }

  offer(): boolean {
    if (!this.waiter || this.isOver) return false
    const job = this.transport.take()
    if (!job) return false
    this.wake(this.hand(job))
    return true
  }

  finished(job: FakeJob): void {
    if (this.running === job) this.running = null
  }

  private hand(job: FakeJob): NextJob {
    job.session = this
    this.running = job
    this.handed.push(job)
    return { type: 'job', job }
  }

  private end(end: SessionEnd): void {
    if (this.isOver) return
    this.isOver = true
    this.wake({ type: 'closed' })
    this.endWith(end)
  }

  private wake(next: NextJob): void {
    const waiter = this.waiter
    this.waiter = null
    waiter?.(next)
  }
}

/** A grid for the job loop's core: scripted refusals, a job queue, sessions the test can drop. */
export class FakeTransport implements GridTransport {
  readonly holdsConnection = true
  readonly sessions: FakeSession[] = []
  /** Thrown by the next open() calls, in order. */
  readonly openFailures: unknown[] = []
  /** Horde-like: an empty queue answers "no job now" instead of waiting. */
  poll = false
  private readonly queue: FakeJob[] = []

  open(slot: number): Promise<GridSession> {
    const failure = this.openFailures.shift()
    if (failure) return Promise.reject(failure)
    const session = new FakeSession(this, slot)
    this.sessions.push(session)
    return Promise.resolve(session)
  }

  push(...jobs: FakeJob[]): void {
    this.queue.push(...jobs)
    for (const session of this.sessions) session.offer()
  }

  take(): FakeJob | undefined {
    return this.queue.shift()
  }

  get queued(): number {
    return this.queue.length
  }

  live(): FakeSession[] {
    return this.sessions.filter((session) => !session.isOver)
  }
}

const result = (text: string, extra: Partial<GenerateResult> = {}): GenerateResult => ({
  text,
  finishReason: 'stop',
  promptTokens: 5,
  completionTokens: 3,
  durationMs: 30,
  firstTokenMs: 10,
  ...extra,
})

type Handlers = Parameters<GenerationEngine['generate']>[1]

/**
 * An engine whose generations the test drives: each one streams `Once` and then waits for the test to
 * `complete()` it, or for its signal (then it resolves with the partial text, as the real engine does).
 */
export class HeldEngine implements GenerationEngine {
  readonly calls: Array<{
    request: GenerateRequest
    handlers: Handlers
    complete: (extra?: Partial<GenerateResult>) => void
    fail: (error: Error) => void
  }> = []

  generate(request: GenerateRequest, handlers: Handlers): Promise<GenerateResult> {
    return new Promise((resolve, reject) => {
      handlers.onText?.('Once', 1)
      const partial = () => resolve(result('Once', { finishReason: 'abort', completionTokens: 1 }))
      handlers.signal?.addEventListener('abort', partial, { once: true })
      this.calls.push({
        request,
        handlers,
        complete: (extra) => resolve(result('Once upon a time', extra)),
        fail: (error) => reject(error),
      })
    })
  }

  get running(): number {
    return this.calls.length
  }
}

/** An engine that answers every job at once with `answer(handlers)`. */
export function instantEngine(
  answer: (handlers: Handlers) => GenerateResult | Promise<GenerateResult> = () => result('Once upon a time'),
): GenerationEngine & { calls: number } {
  const engine = {
    calls: 0,
    generate: async (_request: GenerateRequest, handlers: Handlers) => {
      engine.calls++
      return answer(handlers)
    },
  }
  return engine
}

export { result as generateResult }

/** A gate the test opens and closes. */
export class FakeGate implements JobGate {
  private open = true
  private readonly closeListeners = new Set<() => void>()
  private readonly openWaiters = new Set<() => void>()

  isOpen(): boolean {
    return this.open
  }

  whenOpen(signal?: AbortSignal): Promise<void> {
    if (this.open || signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        this.openWaiters.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      this.openWaiters.add(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  close(): void {
    this.open = false
    for (const listener of [...this.closeListeners]) listener()
  }

  reopen(): void {
    this.open = true
    for (const waiter of [...this.openWaiters]) waiter()
  }
}

/** A ledger in memory: the last row per network and job id, as the real one updates rows. */
export class MemoryLedger {
  readonly rows = new Map<string, JobRecord>()
  readonly writes: JobRecord[] = []

  record(job: JobRecord): void {
    this.writes.push(job)
    this.rows.set(`${job.network}:${job.jobId}`, job)
  }

  get(id: string, network = 'aipg'): JobRecord | undefined {
    return this.rows.get(`${network}:${id}`)
  }
}
