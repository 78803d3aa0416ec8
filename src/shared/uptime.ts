import type { EarnSnapshot } from './domain.js'

type SinceStart = EarnSnapshot['sinceStart']

/** A run's sinceStart before its first event. */
export function freshRun(startedAt: number): SinceStart {
  return { startedAt, endedAt: null, jobs: 0, tokens: 0, rewards: 0, unreachableMs: 0, unreachableSince: null }
}

/**
 * Moves the unreachable clock when the miner enters or leaves backoff (or the run ends): time the grid
 * could not be reached earns nothing, so it is not uptime.
 */
export function trackUnreachable(since: SinceStart, unreachable: boolean, now: number): SinceStart {
  if (unreachable && since.unreachableSince === null) return { ...since, unreachableSince: now }
  if (!unreachable && since.unreachableSince !== null) {
    return { ...since, unreachableMs: since.unreachableMs + (now - since.unreachableSince), unreachableSince: null }
  }
  return since
}

/** How long the run has been connected to the grid, up to `now` (or to its end). */
export function uptimeMs(since: SinceStart, now: number): number {
  if (since.startedAt === null) return 0
  const end = since.endedAt ?? now
  const unreachable = since.unreachableMs + (since.unreachableSince !== null ? end - since.unreachableSince : 0)
  return Math.max(0, end - since.startedAt - unreachable)
}
