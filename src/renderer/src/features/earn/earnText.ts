import type { EarnState } from '../../../../shared/domain'

const STATES: Record<EarnState, string> = {
  off: 'Not earning',
  connecting: 'Connecting to the grid…',
  waiting: 'Waiting for jobs',
  working: 'Generating for the grid',
  paused: 'Paused by a mining policy',
  backoff: 'The grid is not answering; retrying by itself (check your connection if this lasts)',
  stopping: 'Finishing the jobs in flight…',
  error: 'Stopped by an error',
}

/** The miner's state in words. */
export const describeEarnState = (state: EarnState): string => STATES[state]

/** 1 h 05 m, 3 m 12 s. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} m ${String(seconds % 60).padStart(2, '0')} s`
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`
}
