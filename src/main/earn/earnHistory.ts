import type { EarnHistory, HistoryBucket, HistoryRange } from '../../shared/domain.js'
import type { HourTotals } from '../store/jobsRepository.js'

const HOUR_MS = 3_600_000
const DAYS: Record<Exclude<HistoryRange, '24h'>, number> = { '7d': 7, '30d': 30 }

/** Where the range begins: the hour 23 hours before this one, or local midnight N-1 days ago. */
export function historyStart(range: HistoryRange, now: number): number {
  if (range === '24h') return Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS
  const start = new Date(now)
  start.setHours(0, 0, 0, 0)
  start.setDate(start.getDate() - (DAYS[range] - 1))
  return start.getTime()
}

/**
 * Every bucket of the range, oldest first, empty ones included so the chart's axis is even: 24 hourly
 * bars for 24 h, one bar per local day for 7 d and 30 d (days follow the host's clock, DST included).
 */
export function buildHistory(range: HistoryRange, now: number, hours: HourTotals[]): EarnHistory {
  const first = historyStart(range, now)
  const starts: number[] = []
  if (range === '24h') {
    for (let i = 0; i < 24; i++) starts.push(first + i * HOUR_MS)
  } else {
    const day = new Date(first)
    for (let i = 0; i < DAYS[range]; i++) {
      starts.push(day.getTime())
      day.setDate(day.getDate() + 1)
    }
  }
  const buckets: HistoryBucket[] = starts.map((start) => ({ start, jobs: 0, tokens: 0, rewards: { aipg: 0, horde: 0 } }))
  for (const hour of hours) {
    const at = hour.hour * HOUR_MS
    let index = -1
    for (let i = starts.length - 1; i >= 0; i--) {
      if (at >= starts[i]!) {
        index = i
        break
      }
    }
    const bucket = buckets[index]
    if (!bucket) continue
    bucket.jobs += hour.jobs
    bucket.tokens += hour.tokens
    bucket.rewards[hour.network] = Math.round((bucket.rewards[hour.network] + hour.rewards) * 100) / 100
  }
  return { range, bucket: range === '24h' ? 'hour' : 'day', buckets }
}
