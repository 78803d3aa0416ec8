import type { EarnHistory, GridNetwork, RunningJob } from '../../../../shared/domain'
import type { EarnCardState } from '../../../../shared/minerStatus'

/** The tone of the headline's dot and word: mining, held back, getting there, off, or stopped by a problem. */
export type EarnTone = 'on' | 'paused' | 'starting' | 'off' | 'error'

/** The top card's state as a dashboard says it: one big word, and the reason or what it is doing now. */
export interface EarnHeadline {
  word: 'Earning' | 'Paused' | 'Starting' | 'Stopping' | 'Not earning'
  tone: EarnTone
  reason: string | null
}

const HEADLINES: Record<EarnCardState, EarnHeadline> = {
  working: { word: 'Earning', tone: 'on', reason: 'Generating for the grid' },
  waiting: { word: 'Earning', tone: 'on', reason: 'Waiting for jobs' },
  connecting: { word: 'Starting', tone: 'starting', reason: 'Connecting to the grid…' },
  starting: { word: 'Starting', tone: 'starting', reason: 'Getting the model ready…' },
  stopping: { word: 'Stopping', tone: 'starting', reason: 'Finishing the jobs in flight…' },
  paused: { word: 'Paused', tone: 'paused', reason: 'Paused by a mining policy' },
  backoff: {
    word: 'Paused',
    tone: 'paused',
    reason: 'The grid is not answering; retrying by itself (check your connection if this lasts)',
  },
  off: { word: 'Not earning', tone: 'off', reason: null },
  error: { word: 'Not earning', tone: 'error', reason: 'Stopped by an error' },
}

/** The headline for a card state; a policy pause gives its own reason ("Paused by schedule (resumes 22:00)"). */
export function earnHeadline(state: EarnCardState, pauseMessage: string | null): EarnHeadline {
  const headline = HEADLINES[state]
  return state === 'paused' && pauseMessage ? { ...headline, reason: pauseMessage } : headline
}

/**
 * The tokens per second of the jobs running now, added up over the slots; null with no job running or none
 * that has produced a token yet. The host pushes job progress coalesced, so this is read at a steady tick.
 */
export function liveTokensPerSecond(running: RunningJob[], now: number): number | null {
  let total = 0
  let counted = 0
  for (const job of running) {
    const seconds = (now - job.startedAt) / 1000
    if (job.tokens <= 0 || seconds <= 0) continue
    total += job.tokens / seconds
    counted++
  }
  return counted > 0 ? total : null
}

/** Jobs and rewards per network (each in its own unit, never added) in the history's buckets since `since`. */
export function totalsSince(history: EarnHistory, since: number): { jobs: number; rewards: Record<GridNetwork, number> } {
  const rewards: Record<GridNetwork, number> = { aipg: 0, horde: 0 }
  let jobs = 0
  for (const bucket of history.buckets) {
    if (bucket.start < since) continue
    jobs += bucket.jobs
    rewards.aipg += bucket.rewards.aipg
    rewards.horde += bucket.rewards.horde
  }
  return { jobs, rewards }
}

/** The start of today on this computer's clock. */
export function startOfToday(now: number): number {
  const day = new Date(now)
  day.setHours(0, 0, 0, 0)
  return day.getTime()
}

/** "23 tok/s", "4.2 tok/s": whole numbers once the rate is large enough that decimals are noise. */
export function formatRate(tokensPerSecond: number): string {
  return `${tokensPerSecond >= 10 ? Math.round(tokensPerSecond) : tokensPerSecond.toFixed(1)} tok/s`
}
