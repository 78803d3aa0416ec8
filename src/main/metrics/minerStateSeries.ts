import type { EarnState, PauseInfo, PauseReason } from '../../shared/domain.js'
import { minerStatusOf } from '../../shared/minerStatus.js'

const PAUSE_REASONS: PauseReason[] = ['local-use', 'user-active', 'battery', 'schedule']
const STATES: EarnState[] = ['off', 'connecting', 'waiting', 'working', 'paused', 'backoff', 'stopping', 'error']

/** One `gridforge_miner_state` series: its `state` label and the status (idle, mining, paused, error) it belongs to. */
export interface MinerStateSeries {
  state: string
  status: string
}

/**
 * Every series of `gridforge_miner_state`, fixed in advance so a dashboard sees 0s rather than gaps: each miner
 * state, and a paused state per pause reason (`paused-schedule`); plain `paused` is a pause whose reason is unknown.
 */
export const MINER_STATE_SERIES: MinerStateSeries[] = [
  ...STATES.map((state) => ({ state, status: minerStatusOf(state) })),
  ...PAUSE_REASONS.map((reason) => ({ state: `paused-${reason}`, status: minerStatusOf('paused') })),
]

/** The `state` label that is 1 now. */
export function minerStateLabel(state: EarnState, pause: PauseInfo | null): string {
  return state === 'paused' && pause ? `paused-${pause.reason}` : state
}
