import type { GenerateRequest, GenerateResult, ToolCallDelta } from '../shared/generation.js'
import type { WorkerLimits } from './params.js'
import type { JobState } from './ports.js'

/**
 * One grid protocol as the job loop sees it. The loop owns slots, the gate, the ledger, stopping and
 * backoff; a transport owns the wire: how a slot reaches the grid, receives jobs and answers them.
 */
export interface GridTransport {
  /** Whether a session is a live connection (AIPG) rather than a series of requests (Horde): only then is opening one "connecting". */
  readonly holdsConnection: boolean
  /** Opens one slot's session (AIPG: a registered socket). Throws a `GridError` when the grid refuses or fails. */
  open(slot: number, signal: AbortSignal): Promise<GridSession>
}

/** Signals the loop hands to a wait for the next job. */
export interface NextSignals {
  /** Aborts when the loop would rather not wait for a job any more (stopping, gate closed). */
  idle: AbortSignal
  /** Aborts on a forced stop: nothing may stay in flight. */
  force: AbortSignal
}

/**
 * What asking for a job gave: a job; nothing right now (ask again later, or the wait was interrupted);
 * or the end of the session.
 */
export type NextJob = { type: 'job'; job: GridJob } | { type: 'none' } | { type: 'closed' }

/** How a session ended, and whether to reconnect. */
export interface SessionEnd {
  action: 'stop' | 'reconnect'
  /** One sentence for the user. */
  message: string
  /** True when the worker ended it (release); false when the grid or the network did. */
  byWorker: boolean
}

/** One slot's connection to the grid; serves one job at a time. */
export interface GridSession {
  /** The next job; throws a `GridError` when asking failed (the loop backs off and asks again). */
  next(signals: NextSignals): Promise<NextJob>
  /**
   * The loop takes no more jobs from this session. Returns jobs already received but never started,
   * which the loop answers; anything the grid can take back by itself is handed back instead.
   */
  release(): GridJob[]
  /** Resolves once the session is over, after `release()` or when the grid ends it. */
  readonly ended: Promise<SessionEnd>
}

/** The answer's pieces as the engine streams them, in order. */
export interface JobStream {
  content(text: string): void
  reasoning(text: string): void
  toolCall(delta: ToolCallDelta): void
}

/** How the loop answers a job: exactly one of these per job. */
export type JobOutcome =
  | { kind: 'done'; result: GenerateResult }
  /** The job did not complete; `message` is one sentence for the grid and the ledger, never job text. */
  | { kind: 'failed'; cause: FailureCause; message: string; result: GenerateResult | null }

/**
 * Why a job failed. `request`: the request itself is at fault (AIPG `client_error`: no strike, no
 * requeue); `engine`: generation failed; `stopped`: a forced stop cut it off; `not-started`: received
 * but never run.
 */
export type FailureCause = 'request' | 'engine' | 'stopped' | 'not-started'

/** What answering settled, for the ledger. */
export interface JobSettlement {
  state: JobState
  error: string | null
  /** Known now (Horde kudos, AIPG den 0 for errors), or null while it is still to come. */
  reward: number | null
  /** AIPG: the den of the `ack`, whenever it comes; null when none will. */
  laterReward?: Promise<number | null>
  /** The grid refused in a way only the user can fix (revoked key): the worker stops with this sentence. */
  fatal?: string
}

/** One job received from a grid. */
export interface GridJob {
  readonly id: string
  readonly model: string
  /** Aborts when the grid no longer wants the answer: it cancelled the job, or the connection is gone. */
  readonly abandoned: AbortSignal
  /** Whether the grid itself cancelled the job (its partial answer is still wanted). */
  cancelledByGrid(): boolean
  /** The generation to run; throws `BadJobRequest` when the request itself cannot be served. */
  toRequest(limits: WorkerLimits): GenerateRequest
  readonly stream: JobStream
  /** Answers the grid; `force` aborts when the worker must stop at once (retries end). */
  finish(outcome: JobOutcome, force: AbortSignal): Promise<JobSettlement>
}
