/**
 * The grid readiness self-test: the AIPG validators' canary families (grid-protocol.md §16.4) run locally
 * against the loaded model, before the grid sends them.
 */

/** The validators' canary families, in the order they are run and shown. */
export const READINESS_FAMILIES = [
  'echo',
  'math.add',
  'math.mul',
  'json.object',
  'logic.steps',
  'code.function',
  'tool.call',
  'tool.chain',
  'stop.sequence',
  'token.limit',
  'context.retrieve',
  'context.retrieve.16k',
  'context.retrieve.32k',
] as const

export type ReadinessFamily = (typeof READINESS_FAMILIES)[number]

/**
 * `slow`: right, but over the validators' 30 s budget (scored 0.75); `skipped`: the grid would not send it
 * (context probes need an advertised context of at least twice their size).
 */
export type ReadinessVerdict = 'pass' | 'slow' | 'fail' | 'skipped'

/** One family's outcome. `reason` says in words why it failed or was skipped. */
export interface ReadinessFamilyResult {
  family: ReadinessFamily
  verdict: ReadinessVerdict
  reason: string | null
  /** Wall time of the probe (both stages for tool.chain); null when skipped. */
  durationMs: number | null
  promptTokens: number
  completionTokens: number
}

/** The whole self-test. */
export interface ReadinessReport {
  /** Runs with the same seed send the same probes. */
  seed: number
  /** The context the worker advertises (what decides which context probes are sent). */
  maxContextLength: number
  results: ReadinessFamilyResult[]
  /** Decode speed over all probes: tokens after the first one, per second of generation after it. */
  tokensPerSecond: number | null
  /** The largest context.retrieve size (4,096 / 16,384 / 32,768 tokens) that passed; null when none did. */
  largestContextPassed: number | null
  /** True when no family that ran failed. */
  ready: boolean
  finishedAt: number
}

/** The Earn view's readiness panel. `stale`: the report is for another model or other settings. */
export interface ReadinessSnapshot {
  state: 'idle' | 'running' | 'done' | 'failed'
  /** Families finished so far, while running. */
  progress: { done: number; total: number } | null
  report: ReadinessReport | null
  /** The model the report is about (its file name). */
  modelName: string | null
  stale: boolean
  /** Why the check could not run (no model loaded, the engine failed). */
  message: string | null
}
