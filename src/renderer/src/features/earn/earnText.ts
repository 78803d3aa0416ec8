import type { GridNetwork } from '../../../../shared/domain'
import type { EarnCardState } from '../../../../shared/minerStatus'

const STATES: Record<EarnCardState, string> = {
  off: 'Not earning',
  starting: 'Starting: getting the model ready…',
  connecting: 'Connecting to the grid…',
  waiting: 'Waiting for jobs',
  working: 'Generating for the grid',
  paused: 'Paused by a mining policy',
  backoff: 'The grid is not answering; retrying by itself (check your connection if this lasts)',
  stopping: 'Finishing the jobs in flight…',
  error: 'Stopped by an error',
}

/** The top card's state in words. */
export const describeEarnState = (state: EarnCardState): string => STATES[state]

/** The unit each grid rewards in; the two are different things and are never added together. */
export const REWARD_UNITS: Record<GridNetwork, { unit: string; explained: string }> = {
  aipg: { unit: 'den', explained: "den: the AIPG grid's reward unit, paid out as AIPG tokens." },
  horde: { unit: 'kudos', explained: "kudos: the AI Horde's credit for priority on the Horde; it is not money." },
}

/** 1 h 05 m, 3 m 12 s. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} m ${String(seconds % 60).padStart(2, '0')} s`
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`
}
