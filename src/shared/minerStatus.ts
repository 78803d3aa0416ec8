import type { EarnState, EarnStatus } from './domain.js'

/**
 * The one place that reduces the miner's state to what the Earn view, the tray and metrics show. Backoff
 * (the grid unreachable or the model gone, retrying) is paused: no job is taken and nothing is earned until
 * it reconnects, and the detail says why; "earning" there would hide an outage.
 */
const STATUS_OF: Record<EarnState, EarnStatus> = {
  off: 'idle',
  connecting: 'mining',
  waiting: 'mining',
  working: 'mining',
  stopping: 'mining',
  paused: 'paused',
  backoff: 'paused',
  error: 'error',
}

export function minerStatusOf(state: EarnState): EarnStatus {
  return STATUS_OF[state]
}

/** True while the miner is on, whether it has a job, waits for one, is paused or retrying: Start then has nothing to do. */
export function isMinerOn(state: EarnState): boolean {
  return state !== 'off' && state !== 'error'
}

/** What the Earn view's top card says: the miner's own state, or `starting` while Start earning prepares it. */
export type EarnCardState = EarnState | 'starting'

/**
 * The miner's state as the top card shows it. While a Start earning run downloads, loads or connects, the
 * miner is still off; the card then says `starting`, never "Not earning" beside a start under way.
 */
export function earnCardState(state: EarnState, startRunning: boolean): EarnCardState {
  return startRunning && !isMinerOn(state) ? 'starting' : state
}
