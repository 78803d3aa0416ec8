import { denForJob } from '../../grid/denFormula.js'
import type { NetworkDemand } from '../../grid/networkDemand.js'
import type { AdvisorEntry, SpeedSource } from '../../shared/advisor.js'
import type { FitKind } from '../../shared/models.js'

/** A model the advisor may recommend, with what is known about it on this PC. */
export interface AdviceCandidate {
  key: string
  name: string
  downloaded: boolean
  advertisedName: string
  multiplier: number
  fit: FitKind
  /** Mean decode speed of this PC's own AIPG jobs of this model; null when it never ran one. */
  measuredTokensPerSecond: number | null
  /** The CPU-only estimate from the file size and the cores (a floor where a GPU takes part). */
  cpuTokensPerSecond: number
  /** This rig is serving it on the grid right now (so it is already one of the workers counted). */
  servingNow: boolean
}

const FITTING: ReadonlySet<FitKind> = new Set(['gpu-full', 'gpu-partial', 'cpu'])

/**
 * Den per hour for each candidate that fits, and the ranking of "Recommended for earning": models the grid has too
 * few workers for (below its redundancy target, or served by nobody) first, then by den per hour. Den per hour is
 * answers per hour at the chosen speed × §16.5's den for one answer of `answerTokens` under the model's multiplier.
 */
export function adviseEarnings(
  candidates: readonly AdviceCandidate[],
  demand: NetworkDemand | null,
  answerTokens: number,
): { entries: AdvisorEntry[]; recommended: string | null } {
  const entries = candidates
    .filter((candidate) => FITTING.has(candidate.fit))
    .map((candidate): AdvisorEntry => {
      const { speed, source } = speedOf(candidate, demand)
      const denPerAnswer = denForJob(answerTokens, candidate.multiplier)
      const workers = demand ? (demand.workers.get(candidate.advertisedName) ?? 0) : null
      return {
        key: candidate.key,
        name: candidate.name,
        downloaded: candidate.downloaded,
        advertisedName: candidate.advertisedName,
        multiplier: candidate.multiplier,
        fit: candidate.fit,
        tokensPerSecond: speed,
        speedSource: source,
        denPerAnswer,
        denPerHour: speed === null ? null : round2(((3600 * speed) / answerTokens) * denPerAnswer),
        workers,
        needsWorkers: demand && workers !== null ? workers < demand.redundancyTarget : null,
        workerNumber: workers === null || candidate.servingNow ? null : workers + 1,
      }
    })
    .sort(
      (a, b) =>
        Number(b.needsWorkers === true) - Number(a.needsWorkers === true) ||
        (b.denPerHour ?? -1) - (a.denPerHour ?? -1) ||
        a.key.localeCompare(b.key),
    )
  return { entries, recommended: entries.find((entry) => entry.denPerHour !== null)?.key ?? null }
}

/** This PC's measurement first; on a GPU the grid's workers' speed beats a CPU estimate; the CPU estimate last. */
function speedOf(candidate: AdviceCandidate, demand: NetworkDemand | null): { speed: number | null; source: SpeedSource | null } {
  if (candidate.measuredTokensPerSecond && candidate.measuredTokensPerSecond > 0)
    return { speed: round1(candidate.measuredTokensPerSecond), source: 'measured' }
  const grid = demand?.gridTokensPerSecond.get(candidate.advertisedName)
  if (candidate.fit !== 'cpu' && grid) return { speed: round1(grid), source: 'grid' }
  if (candidate.cpuTokensPerSecond > 0) return { speed: round1(candidate.cpuTokensPerSecond), source: 'cpu-estimate' }
  return { speed: null, source: null }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}
