import { z } from 'zod'

/** The model Start earning serves: a catalog entry (downloaded when missing) or a registered local model. */
export const modelChoiceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('catalog'), catalogId: z.string().min(1).max(80) }),
  z.strictObject({ kind: z.literal('local'), modelId: z.string().min(1).max(80) }),
])

/** See `modelChoiceSchema`. */
export type ModelChoice = z.infer<typeof modelChoiceSchema>

/** The steps of Start earning, in order. */
export type QuickStartStepName = 'download' | 'load' | 'connect' | 'first-job'

/** Where one step stands; `skipped` means nothing had to be done (the model was already there or loaded). */
export type QuickStartStepState = 'pending' | 'active' | 'done' | 'skipped' | 'failed'

/** One step as the Earn view shows it. */
export interface QuickStartStep {
  name: QuickStartStepName
  state: QuickStartStepState
  /** From 0 to 1 while known (download bytes, load progress); null otherwise. */
  progress: number | null
  /** A short line about the step ("312 MB of 491 MB", "Waiting for the grid to send a job"). */
  detail: string | null
}

/** What the user can do after a step failed. */
export type QuickStartChoice = 'retry' | 'cancel' | 'choose-model'

/** The whole of Start earning: idle before the first use, then running until done, failed or cancelled. */
export interface QuickStartSnapshot {
  phase: 'idle' | 'running' | 'done' | 'failed' | 'cancelled'
  model: ModelChoice | null
  /** The model's name in words (catalog name or file name). */
  modelName: string | null
  steps: QuickStartStep[]
  /** Set when a step failed: what happened and what to do, in one sentence, and the ways out. */
  failure: { step: QuickStartStepName; message: string; choices: QuickStartChoice[] } | null
}
