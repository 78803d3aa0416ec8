import { createBackoff } from '../backoff.js'
import { asGridError } from '../../grid/gridError.js'
import type { GridJob, GridSession, GridTransport, JobOutcome, JobSettlement, NextJob, NextSignals, SessionEnd } from '../gridTransport.js'
import { BadJobRequest, hordeJobToRequest, type WorkerLimits } from '../params.js'
import type { Clock, Logger } from '../ports.js'
import type { WorkerConfig } from '../workerTypes.js'
import { createHordeClient, type HordeCapabilities, type HordeClient, type HordeJob } from './hordeRest.js'

/** Never aborts: a Horde job has no connection to lose and no cancel. */
const NEVER = new AbortController().signal

/**
 * AI Horde (§3, §12 threads): each slot pops one job at a time over REST and submits plain text. The
 * pop is also the heartbeat, so a session holds no connection.
 */
export function hordeTransport(config: WorkerConfig, deps: { clock: Clock; logger: Logger; fetch?: typeof fetch }): GridTransport {
  const capabilities: HordeCapabilities = {
    name: config.name,
    models: config.models,
    maxLength: config.maxLength,
    maxContextLength: config.maxContextLength,
    threads: config.slots,
    nsfw: config.nsfw ?? false,
    bridgeAgent: config.agent,
  }
  return {
    holdsConnection: false,
    open() {
      const client = createHordeClient({ gridUrl: config.gridUrl, apiKey: config.apiKey, clientAgent: config.agent, fetch: deps.fetch })
      return Promise.resolve(new HordeSession(client, capabilities, deps))
    },
  }
}

class HordeSession implements GridSession {
  /** Ids of a popped job not handed out yet: one pop may carry several ids of the same payload (§4.2). */
  private queued: HordeGridJob[] = []
  private end!: (end: SessionEnd) => void
  readonly ended = new Promise<SessionEnd>((resolve) => (this.end = resolve))

  constructor(
    private readonly client: HordeClient,
    private readonly capabilities: HordeCapabilities,
    private readonly deps: { clock: Clock; logger: Logger },
  ) {}

  async next(signals: NextSignals): Promise<NextJob> {
    const queued = this.queued.shift()
    if (queued) return { type: 'job', job: queued }
    // Not aborted by a graceful stop: a pop cut off in flight could leave a job hanging on the grid.
    const { job } = await this.client.pop(this.capabilities, signals.force)
    if (!job) return { type: 'none' }
    const deadline = this.deps.clock.now() + job.ttlSeconds * 1000
    const [first, ...rest] = job.ids.map((id) => new HordeGridJob(id, job, deadline, this.client, this.deps))
    this.queued = rest
    return first ? { type: 'job', job: first } : { type: 'none' }
  }

  release(): GridJob[] {
    const leftovers = this.queued
    this.queued = []
    this.end({ action: 'reconnect', message: '', byWorker: true })
    return leftovers
  }
}

class HordeGridJob implements GridJob {
  readonly model: string
  readonly abandoned = NEVER
  /** The Horde answers plain text: reasoning and tool calls have nowhere to go. */
  readonly stream = { content: () => undefined, reasoning: () => undefined, toolCall: () => undefined }

  constructor(
    readonly id: string,
    private readonly job: HordeJob,
    /** After the TTL the grid aborts the job anyway: retrying a submit past it is pointless. */
    private readonly deadline: number,
    private readonly client: HordeClient,
    private readonly deps: { clock: Clock; logger: Logger },
  ) {
    this.model = job.model
  }

  cancelledByGrid(): boolean {
    return false
  }

  toRequest(limits: WorkerLimits) {
    if (!this.job.payload) throw new BadJobRequest('The grid sent a payload this worker cannot read.')
    return hordeJobToRequest(this.job.payload, limits)
  }

  async finish(outcome: JobOutcome, force: AbortSignal): Promise<JobSettlement> {
    const ok = outcome.kind === 'done'
    // §15.3: `generation` is sent even for a faulted job.
    const submitted = await this.submitWithRetry(ok ? outcome.result.text : 'faulted', ok ? 'ok' : 'faulted', force)
    const failure = outcome.kind === 'failed' ? outcome.message : null
    return { ...submitted, state: submitted.state === 'ok' ? (ok ? 'ok' : 'faulted') : submitted.state, error: failure ?? submitted.error }
  }

  /** Submits until it lands, the grid drops the job, or its TTL has passed. */
  private async submitWithRetry(generation: string, state: 'ok' | 'faulted', force: AbortSignal): Promise<JobSettlement> {
    const backoff = createBackoff()
    for (;;) {
      try {
        return { state: 'ok', reward: await this.client.submit(this.id, generation, state), error: null }
      } catch (error) {
        const gridError = asGridError(error)
        if (gridError.action === 'drop') return { state: 'dropped', reward: null, error: gridError.message }
        if (gridError.action === 'stop') return { state: 'error', reward: null, error: gridError.message, fatal: gridError.message }
        const wait = gridError.details.retryAfterMs ?? backoff.next()
        if (this.deps.clock.now() + wait > this.deadline || force.aborted) {
          return { state: 'dropped', reward: null, error: `Could not submit: ${gridError.message}` }
        }
        this.deps.logger.warn(`submit of ${this.id.slice(0, 8)} failed (${gridError.message}); retrying in ${Math.round(wait / 1000)} s`)
        await this.deps.clock.sleep(wait, force)
      }
    }
  }
}
