import type { GenerateRequest, ToolCallDelta } from '../../shared/generation.js'
import type { ReadinessFamilyResult, ReadinessReport } from '../../shared/readiness.js'
import { aipgJobToRequest, BadJobRequest, openAiRequestSchema, type WorkerLimits } from '../params.js'
import { systemClock, type Clock, type GenerationEngine } from '../ports.js'
import type { Canary, ChatBody, ProbeAnswer } from './canary.js'
import { CONTEXT_TIERS } from './families/contextRetrieve.js'
import { planProbes } from './families.js'
import { probeAnswerOf } from './probeAnswer.js'

/** Over this, a right answer is scored "slow" (0.75) by the validators. */
export const SLOW_AFTER_MS = 30_000
/** The validators give up on a probe after this. */
export const PROBE_TIMEOUT_MS = 180_000

export interface ReadinessOptions {
  engine: GenerationEngine
  /** What the worker advertises: probes are clamped to it as grid jobs are, and it decides the context probes. */
  limits: WorkerLimits
  /** The same seed sends the same probes; default: from the clock. */
  seed?: number
  clock?: Clock
  signal?: AbortSignal
  /** Each family's result as soon as it is known. */
  onResult?: (result: ReadinessFamilyResult, done: number, total: number) => void
}

/** The readiness check was cancelled before it finished. */
export class ReadinessCancelled extends Error {
  override name = 'ReadinessCancelled'
}

interface Asked {
  answer: ProbeAnswer | null
  failure: string | null
  promptTokens: number
  decodeTokens: number
  decodeMs: number
}

/**
 * Runs the validators' canary families against the engine, each probe through the path a grid job takes
 * (the OpenAI body parsed and mapped by `aipgJobToRequest`, then the GenerationEngine port), and scores
 * the answers as the validators do.
 */
export async function runReadiness(options: ReadinessOptions): Promise<ReadinessReport> {
  const clock = options.clock ?? systemClock
  const seed = (options.seed ?? clock.now()) >>> 0
  const planned = planProbes(seed, options.limits.maxContextLength)
  const results: ReadinessFamilyResult[] = []
  let decodeTokens = 0
  let decodeMs = 0
  for (const [index, probe] of planned.entries()) {
    if (options.signal?.aborted) throw new ReadinessCancelled('The readiness check was cancelled.')
    let result: ReadinessFamilyResult
    if ('skipped' in probe) {
      result = { family: probe.family, verdict: 'skipped', reason: probe.skipped, durationMs: null, promptTokens: 0, completionTokens: 0 }
    } else {
      const started = clock.now()
      const run = await runCanary(probe.canary, seed + index)
      const durationMs = clock.now() - started
      decodeTokens += run.decodeTokens
      decodeMs += run.decodeMs
      const verdict = run.failure ? 'fail' : durationMs > SLOW_AFTER_MS ? 'slow' : 'pass'
      result = {
        family: probe.family,
        verdict,
        reason: run.failure,
        durationMs,
        promptTokens: run.promptTokens,
        completionTokens: run.completionTokens,
      }
    }
    results.push(result)
    options.onResult?.(result, index + 1, planned.length)
  }
  if (options.signal?.aborted) throw new ReadinessCancelled('The readiness check was cancelled.')
  const passedContexts = CONTEXT_TIERS.filter((tier) =>
    results.some((r) => r.family === tier.family && (r.verdict === 'pass' || r.verdict === 'slow')),
  )
  return {
    seed,
    maxContextLength: options.limits.maxContextLength,
    results,
    tokensPerSecond: decodeMs > 0 ? decodeTokens / (decodeMs / 1000) : null,
    largestContextPassed: passedContexts.length ? Math.max(...passedContexts.map((tier) => tier.contextTokens)) : null,
    ready: !results.some((r) => r.verdict === 'fail'),
    finishedAt: clock.now(),
  }

  async function runCanary(canary: Canary, gridSeed: number) {
    const answers: ProbeAnswer[] = []
    let body: ChatBody | null = canary.body
    let promptTokens = 0
    let completionTokens = 0
    let failure: string | null = null
    let tokens = 0
    let ms = 0
    while (body) {
      const asked: Asked = await ask(body, gridSeed)
      promptTokens += asked.promptTokens
      tokens += asked.decodeTokens
      ms += asked.decodeMs
      if (!asked.answer) {
        failure = asked.failure
        break
      }
      answers.push(asked.answer)
      completionTokens += asked.answer.completion_tokens
      body = answers.length === 1 && canary.followUp ? canary.followUp(asked.answer) : null
    }
    if (!failure) {
      const score = canary.score(answers)
      failure = score.pass ? null : score.reason
    }
    return { failure, promptTokens, completionTokens, decodeTokens: tokens, decodeMs: ms }
  }

  async function ask(body: ChatBody, gridSeed: number): Promise<Asked> {
    const none = { answer: null, promptTokens: 0, decodeTokens: 0, decodeMs: 0 }
    // The grid forwards the client's body with a seed it mints (§13.2).
    const parsed = openAiRequestSchema.safeParse({ ...body, seed: gridSeed })
    if (!parsed.success) return { ...none, failure: 'the worker cannot read the probe as an OpenAI chat body' }
    let request: GenerateRequest
    try {
      request = aipgJobToRequest(parsed.data, undefined, options.limits)
    } catch (error) {
      if (error instanceof BadJobRequest) return { ...none, failure: `the worker refuses the probe: ${error.message}` }
      throw error
    }
    const timeout = new AbortController()
    const finished = new AbortController()
    const onAbort = () => timeout.abort()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    let timedOut = false
    void clock.sleep(PROBE_TIMEOUT_MS, finished.signal).then(() => {
      if (finished.signal.aborted) return
      timedOut = true
      timeout.abort()
    })
    const started = clock.now()
    let firstTokenAt: number | null = null
    const calls: ToolCallDelta[] = []
    const seen = () => (firstTokenAt ??= clock.now())
    try {
      const result = await options.engine.generate(request, {
        signal: timeout.signal,
        onText: seen,
        onReasoning: seen,
        onToolCall: (delta) => {
          seen()
          calls.push(delta)
        },
      })
      const ended = clock.now()
      const from = firstTokenAt ?? started
      const decode =
        result.completionTokens > 1
          ? { decodeTokens: result.completionTokens - 1, decodeMs: ended - from }
          : { decodeTokens: 0, decodeMs: 0 }
      if (timedOut) return { ...none, failure: `no answer within ${PROBE_TIMEOUT_MS / 1000} s`, promptTokens: result.promptTokens }
      return { answer: probeAnswerOf(result, calls), failure: null, promptTokens: result.promptTokens, ...decode }
    } catch (error) {
      return { ...none, failure: `generation failed: ${error instanceof Error ? error.message : String(error)}` }
    } finally {
      finished.abort()
      options.signal?.removeEventListener('abort', onAbort)
    }
  }
}
