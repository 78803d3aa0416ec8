import type { FitKind } from './models.js'

/** Where a tokens/s figure comes from: this PC's own AIPG jobs, the grid's workers, or an estimate from the file size. */
export type SpeedSource = 'measured' | 'grid' | 'cpu-estimate'

/** One model the advisor considered, with every input its estimate was made from. */
export interface AdvisorEntry {
  /** The catalog id, or the local model id for a file that is not in the catalog. */
  key: string
  name: string
  /** Downloaded (registered on this PC) or only in the catalog. */
  downloaded: boolean
  /** The exact name the miner would advertise on AIPG: den is looked up by it. */
  advertisedName: string
  multiplier: number
  fit: FitKind
  tokensPerSecond: number | null
  speedSource: SpeedSource | null
  /** Den for one answer of the report's `answerTokens` (§16.5's formula). */
  denPerAnswer: number
  /** Estimated den per hour while busy with jobs of this model; null without a speed. */
  denPerHour: number | null
  /** Workers serving it on the grid now; null when the grid could not be asked. */
  workers: number | null
  /** Fewer workers than the grid's redundancy target: the grid asks for more. */
  needsWorkers: boolean | null
  /** "You would be worker #N of it". */
  workerNumber: number | null
}

/** "Recommended for earning": estimates, not promises, with their inputs. */
export interface AdvisorReport {
  checkedAt: number
  /** The answer length each estimate assumes, and where it comes from. */
  answerTokens: { value: number; source: 'your-jobs' | 'max-length' }
  redundancyTarget: number | null
  /** Why the grid's demand is missing, in one sentence; null when the grid answered. */
  demandProblem: string | null
  /** Best first; models that do not fit this PC are left out. */
  entries: AdvisorEntry[]
  /** The key of the recommended entry; null when nothing has an estimate. */
  recommended: string | null
}
