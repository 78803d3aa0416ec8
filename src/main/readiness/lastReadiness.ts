import { z } from 'zod'
import { READINESS_FAMILIES, type ReadinessReport } from '../../shared/readiness.js'
import type { SettingsRepository } from '../store/settingsRepository.js'

const KEY = 'readiness.last'

const reportSchema = z.object({
  seed: z.number().int(),
  maxContextLength: z.number().int(),
  results: z.array(
    z.object({
      family: z.enum(READINESS_FAMILIES),
      verdict: z.enum(['pass', 'slow', 'fail', 'skipped']),
      reason: z.string().nullable(),
      durationMs: z.number().nullable(),
      promptTokens: z.number(),
      completionTokens: z.number(),
    }),
  ),
  tokensPerSecond: z.number().nullable(),
  largestContextPassed: z.number().nullable(),
  ready: z.boolean(),
  finishedAt: z.number(),
})

const savedSchema = z.object({ key: z.string(), modelName: z.string(), report: reportSchema }).nullable()

/** The last readiness report, kept so that a restart does not run the check again for the same model and settings. */
export interface SavedReadiness {
  /** The model and the limits it was checked with (see ReadinessService). */
  key: string
  modelName: string
  report: ReadinessReport
}

export class LastReadiness {
  constructor(private readonly settings: SettingsRepository) {}

  get(): SavedReadiness | null {
    return this.settings.get(KEY, savedSchema, null)
  }

  set(saved: SavedReadiness): void {
    this.settings.set(KEY, saved)
  }
}
