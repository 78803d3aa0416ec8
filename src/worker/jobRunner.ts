import type { GenerateRequest, GenerateResult } from '../shared/generation.js'
import { AppError } from '../shared/result.js'
import { linkedAbort } from './abort.js'
import type { GridJob, JobOutcome } from './gridTransport.js'
import { jobRecord } from './jobRecord.js'
import { BadJobRequest, type WorkerLimits } from './params.js'
import type { Clock, GenerationEngine, JobLedger, JobRecord, Logger, Network } from './ports.js'
import { GENERATION_FAILED } from './strikes.js'
import type { WorkerEvent } from './workerTypes.js'

/** What running jobs needs from the worker around it. */
export interface JobRunnerDeps {
  network: Network
  engine: GenerationEngine
  ledger: JobLedger
  clock: Clock
  logger: Logger
  limits: WorkerLimits
  /** Aborts on a forced stop. */
  force: AbortSignal
  emit(event: WorkerEvent): void
  setWorking(): void
  /** The grid refused in a way only the user can fix. */
  fatal(message: string): void
}

const STOPPED = 'The worker was stopped before the job finished.'
/** Received but never started (the worker stopped, or the engine went down first). */
export const NOT_STARTED = 'The worker stopped before it could run this job.'

/**
 * Runs grid jobs on the engine and answers each exactly once, through `finishJob`: the one place that
 * answers the grid, writes the ledger and reports the job.
 */
export function createJobRunner(deps: JobRunnerDeps) {
  const answered = new WeakSet<GridJob>()
  const rewards = new Set<Promise<void>>()

  const record = (row: JobRecord, type: 'job-finished' | 'job-rewarded') => {
    try {
      deps.ledger.record(row)
    } catch (error) {
      // A full disk must not take the worker down mid-job; the grid already has the answer.
      deps.logger.warn(`could not record job ${row.jobId.slice(0, 8)}: ${(error as Error).message}`)
    }
    deps.emit({ type, record: row })
  }

  async function finishJob(job: GridJob, outcome: JobOutcome, startedAt: number): Promise<void> {
    if (answered.has(job)) {
      deps.logger.warn(`job ${job.id.slice(0, 8)} was already answered; the second answer was not sent`)
      return
    }
    answered.add(job)
    const settlement = await job.finish(outcome, deps.force)
    if (settlement.fatal) deps.fatal(settlement.fatal)
    // Recorded before any later reward, so a crash while waiting for it cannot lose the job.
    const row = jobRecord({ network: deps.network, id: job.id, model: job.model, startedAt }, outcome.result, settlement, deps.clock.now())
    record(row, 'job-finished')
    if (!settlement.laterReward) return
    const reward = settlement.laterReward.then((den) => {
      if (den !== null) record({ ...row, reward: den }, 'job-rewarded')
      else deps.emit({ type: 'job-unacknowledged', record: row })
    })
    rewards.add(reward)
    void reward.finally(() => rewards.delete(reward))
  }

  async function generate(job: GridJob, request: GenerateRequest): Promise<GenerateResult> {
    const cancel = linkedAbort(deps.force, job.abandoned)
    const progress = (tokens: number) => deps.emit({ type: 'job-progress', jobId: job.id, tokens })
    try {
      return await deps.engine.generate(request, {
        signal: cancel.signal,
        onText: (text, tokens) => {
          job.stream.content(text)
          progress(tokens)
        },
        onReasoning: (text, tokens) => {
          job.stream.reasoning(text)
          progress(tokens)
        },
        onToolCall: (delta, tokens) => {
          job.stream.toolCall(delta)
          progress(tokens)
        },
      })
    } finally {
      cancel.dispose()
    }
  }

  return {
    finishJob,

    /** Runs one job up to its answer; `engineDown` when the engine would fail the next job too. */
    async run(slot: number, job: GridJob): Promise<{ engineDown: boolean }> {
      const startedAt = deps.clock.now()
      deps.setWorking()
      deps.emit({ type: 'job-started', slot, network: deps.network, jobId: job.id, model: job.model })
      let request: GenerateRequest
      try {
        request = job.toRequest(deps.limits)
      } catch (error) {
        const message = error instanceof BadJobRequest ? error.message : 'The request could not be read.'
        await finishJob(job, { kind: 'failed', cause: 'request', message, result: null }, startedAt)
        return { engineDown: false }
      }
      let result: GenerateResult
      try {
        result = await generate(job, request)
      } catch (error) {
        const requestFault = isRequestFault(error)
        const message = requestFault ? (error as Error).message : `${GENERATION_FAILED} ${(error as Error).message}`
        await finishJob(job, { kind: 'failed', cause: requestFault ? 'request' : 'engine', message, result: null }, startedAt)
        return { engineDown: isEngineDown(error) }
      }
      const stopped = deps.force.aborted && !job.cancelledByGrid()
      await finishJob(job, stopped ? { kind: 'failed', cause: 'stopped', message: STOPPED, result } : { kind: 'done', result }, startedAt)
      return { engineDown: false }
    },

    /** Resolves once every reward still to come has come or will not. */
    async settled(): Promise<void> {
      while (rewards.size > 0) await Promise.all([...rewards])
    },
  }
}

/** The engine says the request itself cannot be served (context too long, bad schema). */
function isRequestFault(error: unknown): boolean {
  return error instanceof BadJobRequest || (error instanceof AppError && error.code === 'BAD_REQUEST')
}

/** Engine failures (no model, crashed) would fail every following job too: pause before the next. */
function isEngineDown(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'NO_MODEL' || code === 'ENGINE_CRASHED'
}
