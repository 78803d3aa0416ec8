import type { GridNetwork, JobRecord } from '../shared/domain.js'
import type { GenerateRequest, GenerateResult, ToolCallDelta } from '../shared/generation.js'

/** The local model, as the worker sees it: streaming, abortable generation. */
export interface GenerationEngine {
  /** Generates; `onText` receives batches of new text; aborting resolves with the partial text. */
  generate(
    request: GenerateRequest,
    handlers: {
      onText?: (text: string, tokens: number) => void
      onReasoning?: (text: string, tokens: number) => void
      onToolCall?: (delta: ToolCallDelta, tokens: number) => void
      signal?: AbortSignal
    },
  ): Promise<GenerateResult>
}

export type { JobRecord, JobState } from '../shared/domain.js'

/** Which grid a job came from. */
export type Network = GridNetwork

/** Where every job is recorded. Writing the same network and job id again updates the row. */
export interface JobLedger {
  record(job: JobRecord): void
}

/** Time, injectable so that backoff and schedules are testable. */
export interface Clock {
  now(): number
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** Log lines of the worker. Job text (prompts, outputs) is never passed here. */
export interface Logger {
  info(line: string): void
  warn(line: string): void
}

/**
 * Whether the worker may take new jobs now (closed while the user chats or uses the local API, by
 * schedule, on battery…). Jobs already running always finish.
 */
export interface JobGate {
  isOpen(): boolean
  /** Resolves when the gate is open (at once if it is), or when `signal` aborts. */
  whenOpen(signal?: AbortSignal): Promise<void>
  /** Called each time the gate closes; returns the unsubscribe function. */
  onClose(listener: () => void): () => void
  /** Why the gate is closed, for the paused status line; null or absent when it has nothing to say. */
  reason?(): string | null
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve()
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      signal?.addEventListener('abort', done, { once: true })
    }),
}
