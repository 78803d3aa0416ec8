import type { ToolCallDelta } from '../../shared/generation.js'
import { linkedAbort } from '../abort.js'
import type { GridJob, GridSession, GridTransport, JobOutcome, JobSettlement, NextJob, NextSignals, SessionEnd } from '../gridTransport.js'
import { aipgJobToRequest, BadJobRequest, openAiRequestSchema, type WorkerLimits } from '../params.js'
import type { Clock, Logger } from '../ports.js'
import type { WorkerConfig } from '../workerTypes.js'
import { contentFrame, doneFrame, errorFrame, reasoningFrame, toolCallFrame } from './aipgFrames.js'
import { aipgRegistration, type AipgRegistration } from '../../grid/aipgRegistration.js'
import type { WorkerSigner } from '../../grid/identity/workerSigner.js'
import { aipgWorkerSocketUrl } from '../../grid/gridUrls.js'
import { slotWorkerNames } from '../../shared/slotNames.js'
import { ACK_TIMEOUT_MS, AipgConnection, type AipgJob } from './aipgSocket.js'

/** Job ids remembered to refuse a job sent twice; far more than a worker runs between two restarts of the grid's queue. */
const REMEMBERED_JOB_IDS = 4096

/** AIPG (§13.2): one registered WebSocket per slot; the grid pushes one job at a time on it. */
export function aipgTransport(config: WorkerConfig, deps: { clock: Clock; logger?: Logger; signer?: WorkerSigner }): GridTransport {
  const url = aipgWorkerSocketUrl(config.gridUrl)
  const identity = deps.signer ? new SlotIdentity(deps.signer, deps.logger) : null
  // Shared by every slot and reconnect: a job is run and answered once, whichever socket it arrives on again.
  const seen = new RecentIds(REMEMBERED_JOB_IDS)
  return {
    holdsConnection: true,
    async open(slot, signal) {
      const registration = registrationFor(config, slot)
      // Every attempt gets its own proof: core accepts a nonce once and a timestamp within ±300 s.
      const proof = identity?.proofFor(registration) ?? null
      const connection = await AipgConnection.open(
        url,
        proof ? { ...registration, worker_identity: proof } : registration,
        config.extraCa,
        signal,
      )
      // Core verifies worker_sig against the delegated signer only when the registration carried the identity.
      return new AipgSession(connection, deps.clock, proof && identity, seen, deps.logger)
    },
  }
}

/**
 * The signer as one slot sees it. A signer that fails (a damaged or locked key) costs the signature, never the job:
 * mining without an identity works exactly as before.
 */
class SlotIdentity {
  constructor(
    private readonly signer: WorkerSigner,
    private readonly logger: Logger | undefined,
  ) {}

  proofFor(registration: AipgRegistration) {
    return this.attempt('registering without worker identity', () =>
      this.signer.workerIdentityFor({
        name: registration.name,
        models: registration.models,
        job_types: registration.job_types,
        bridge_agent: registration.bridge_agent,
      }),
    )
  }

  signatureFor(jobId: string, fullText: string) {
    return this.attempt('sending the result unsigned', () => this.signer.signResult(jobId, fullText))
  }

  private attempt<T>(fallback: string, run: () => T | null): T | null {
    try {
      return run()
    } catch (error) {
      this.logger?.warn(`${fallback}: ${error instanceof Error ? error.message : String(error)}`)
      return null
    }
  }
}

/** The last `limit` ids added, oldest forgotten first. */
class RecentIds {
  private readonly ids = new Set<string>()

  constructor(private readonly limit: number) {}

  has(id: string): boolean {
    return this.ids.has(id)
  }

  add(id: string): void {
    this.ids.add(id)
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value as string)
  }

  delete(id: string): void {
    this.ids.delete(id)
  }
}

/** The registration frame of one slot. */
function registrationFor(config: WorkerConfig, slot: number) {
  return aipgRegistration({
    apiKey: config.apiKey,
    name: slotWorkerNames(config.name, config.slots)[slot] ?? config.name,
    models: config.models,
    maxLength: config.maxLength,
    maxContextLength: config.maxContextLength,
    agent: config.agent,
  })
}

class AipgSession implements GridSession {
  readonly ended: Promise<SessionEnd>
  /** A job pushed before the loop asked for it: the grid hands out the next job right after `done`. */
  private pushed: AipgJob | null = null
  private waiter: ((next: NextJob) => void) | null = null
  private current: AipgGridJob | null = null
  /** Rewards still to come: the socket stays open for them after the last job. */
  private readonly acks = new Set<Promise<unknown>>()
  private released = false
  private isClosed = false

  constructor(
    private readonly connection: AipgConnection,
    private readonly clock: Clock,
    private readonly identity: SlotIdentity | null,
    private readonly seen: RecentIds,
    private readonly logger?: Logger,
  ) {
    this.ended = connection.closed.then((info) => {
      this.isClosed = true
      this.wake({ type: 'closed' })
      return { action: info.action, message: info.message, byWorker: this.released } satisfies SessionEnd
    })
    connection.onCancel((id) => {
      if (this.current?.id === id) this.current.cancel()
    })
    connection.onJob((job) => {
      // A job sent again is not run again: its one answer is (or will be) the first run's. Answering the copy
      // would answer the same id twice, and an error frame for it could fail the run still in progress.
      if (this.seen.has(job.id) || this.pushed?.id === job.id) {
        this.logger?.warn(`job ${job.id.slice(0, 8)} was sent again; the duplicate was refused`)
        return
      }
      // The grid sends one job at a time; a second one is answered, never left hanging.
      if (this.current || this.pushed || this.released) {
        if (!this.released) connection.sendFrame(errorFrame(job.id, 'This worker is busy with another job.', false))
        return
      }
      if (this.waiter) this.wake({ type: 'job', job: this.take(job) })
      else this.pushed = job
    })
  }

  next(signals: NextSignals): Promise<NextJob> {
    if (this.pushed) {
      const job = this.pushed
      this.pushed = null
      return Promise.resolve({ type: 'job', job: this.take(job) })
    }
    if (this.isClosed || this.released) return Promise.resolve({ type: 'closed' })
    return new Promise((resolve) => {
      const stopWaiting = () => this.wake({ type: 'none' })
      signals.idle.addEventListener('abort', stopWaiting, { once: true })
      this.waiter = (next) => {
        signals.idle.removeEventListener('abort', stopWaiting)
        resolve(next)
      }
      if (signals.idle.aborted) stopWaiting()
    })
  }

  release(): GridJob[] {
    if (this.released) return []
    this.released = true
    // Closing hands a pushed job we will not start back to the grid at once.
    this.pushed = null
    if (this.acks.size === 0) {
      this.connection.close()
      return []
    }
    // The timer is cleared once the acks are in, so a stopped worker's process is not held open by it.
    const timeout = new AbortController()
    void Promise.race([Promise.all(this.acks), this.clock.sleep(ACK_TIMEOUT_MS, timeout.signal)]).then(() => {
      timeout.abort()
      this.connection.close()
    })
    return []
  }

  private wake(next: NextJob): void {
    const waiter = this.waiter
    this.waiter = null
    waiter?.(next)
  }

  private take(job: AipgJob): AipgGridJob {
    this.seen.add(job.id)
    const gridJob = new AipgGridJob(job, this.connection, this.identity, (ack, answered) => {
      this.current = null
      // Lost with the connection before it was answered: the grid requeues it, and it may come back to us.
      if (!answered) this.seen.delete(job.id)
      if (!ack) return
      this.acks.add(ack)
      void ack.finally(() => this.acks.delete(ack))
    })
    this.current = gridJob
    return gridJob
  }
}

class AipgGridJob implements GridJob {
  readonly id: string
  readonly model: string
  private readonly abort: ReturnType<typeof linkedAbort>
  private cancelled = false
  private readonly namedCalls = new Set<number>()

  constructor(
    private readonly job: AipgJob,
    private readonly connection: AipgConnection,
    private readonly identity: SlotIdentity | null,
    private readonly onFinished: (ack: Promise<number | null> | null, answered: boolean) => void,
  ) {
    this.id = job.id
    this.model = job.model
    this.abort = linkedAbort(connection.gone)
  }

  get abandoned(): AbortSignal {
    return this.abort.signal
  }

  /** The grid's `cancel`: stop generating, still answer `done` with the partial text. */
  cancel(): void {
    this.cancelled = true
    this.abort.abort()
  }

  cancelledByGrid(): boolean {
    return this.cancelled
  }

  toRequest(limits: WorkerLimits) {
    const parsed = openAiRequestSchema.safeParse(this.job.request)
    if (!parsed.success) throw new BadJobRequest('The request is not an OpenAI chat-completions body.')
    return aipgJobToRequest(parsed.data, this.job.fallbackMaxLength, limits)
  }

  readonly stream = {
    content: (text: string) => this.connection.sendFrame(contentFrame(this.id, text)),
    reasoning: (text: string) => this.connection.sendFrame(reasoningFrame(this.id, text)),
    toolCall: (delta: ToolCallDelta) => {
      const first = !this.namedCalls.has(delta.index)
      this.namedCalls.add(delta.index)
      this.connection.sendFrame(toolCallFrame(this.id, delta, first))
    },
  }

  async finish(outcome: JobOutcome): Promise<JobSettlement> {
    this.abort.dispose()
    if (!this.connection.isOpen) {
      this.onFinished(null, false)
      return { state: 'dropped', error: 'The connection to the grid was lost during the job.', reward: null }
    }
    if (outcome.kind === 'failed') {
      this.connection.sendFrame(errorFrame(this.id, outcome.message, outcome.cause === 'request'))
      this.onFinished(null, true)
      const state = outcome.cause === 'request' || outcome.cause === 'engine' ? 'error' : 'faulted'
      return { state, error: outcome.message, reward: 0 }
    }
    const workerSig = this.identity?.signatureFor(this.id, outcome.result.text) ?? null
    this.connection.sendFrame(doneFrame(this.id, outcome.result, this.cancelled, workerSig))
    const ack = this.connection.waitForAck(this.id)
    this.onFinished(ack, true)
    return { state: this.cancelled ? 'cancelled' : 'ok', error: null, reward: null, laterReward: ack }
  }
}
