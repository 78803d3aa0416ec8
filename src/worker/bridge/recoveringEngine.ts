import type { GenerateRequest, GenerateResult } from '../../shared/generation.js'
import type { GenerationEngine } from '../ports.js'
import { BackendError, type BackendFailure } from './backendError.js'
import type { BackendHealth } from './backendHealth.js'

type Handlers = Parameters<GenerationEngine['generate']>[1]

/**
 * Failures a restarting or reloading server gives before it answers again. A timeout is not one: the
 * server is hung or overloaded, and a second wait of the first-byte timeout would outlast the grid's
 * 300 s limit per frame (grid-protocol.md §13.2).
 */
const PASSING: ReadonlySet<BackendFailure> = new Set(['unreachable', 'dropped', 'server-error', 'rate-limited', 'no-model'])

/**
 * The bridge's engine, riding out a short outage where the grid cannot tell: a job whose server failed
 * before anything of the answer was streamed waits up to `recoveryMs` for the server to serve again
 * and is run once more. Core counts every worker `error` as a strike (§16.7); an answer that arrives
 * late is none. Once a piece of the answer has gone to the grid, a retry would repeat it, so the
 * failure goes straight to the job.
 */
export function recoveringEngine(engine: GenerationEngine, health: BackendHealth, recoveryMs: number): GenerationEngine {
  return {
    async generate(request: GenerateRequest, handlers: Handlers): Promise<GenerateResult> {
      let streamed = false
      const tracked: Handlers = {
        signal: handlers.signal,
        onText: (text, tokens) => {
          streamed = true
          handlers.onText?.(text, tokens)
        },
        onReasoning: (text, tokens) => {
          streamed = true
          handlers.onReasoning?.(text, tokens)
        },
        onToolCall: (delta, tokens) => {
          streamed = true
          handlers.onToolCall?.(delta, tokens)
        },
      }
      try {
        return await engine.generate(request, tracked)
      } catch (error) {
        const passing = error instanceof BackendError && PASSING.has(error.failure)
        if (!passing || streamed || recoveryMs <= 0 || handlers.signal?.aborted) throw error
        if (!(await health.servingWithin(recoveryMs, handlers.signal))) {
          if (handlers.signal?.aborted) return abandoned()
          throw error
        }
        return engine.generate(request, tracked)
      }
    },
  }
}

/** The answer of a job the grid or the user gave up on while it waited: nothing was generated. */
const abandoned = (): GenerateResult => ({
  text: '',
  finishReason: 'abort',
  promptTokens: 0,
  completionTokens: 0,
  durationMs: 0,
  firstTokenMs: null,
})
