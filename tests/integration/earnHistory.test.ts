import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildHistory, historyStart } from '../../src/main/earn/earnHistory.js'
import { openDatabase } from '../../src/main/store/database.js'
import { JobsRepository } from '../../src/main/store/jobsRepository.js'
import type { JobRecord } from '../../src/shared/domain.js'
import { tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
const db = openDatabase(join(temp.dir, 'history.db'))
afterAll(() => {
  db.close()
  temp.cleanup()
})

/** Wednesday 14 January 2026, 15:20 local time. */
const now = new Date(2026, 0, 14, 15, 20).getTime()
const at = (daysAgo: number, hour: number, minute = 0) => new Date(2026, 0, 14 - daysAgo, hour, minute).getTime()

function job(
  id: string,
  finishedAt: number,
  reward: number | null,
  state: JobRecord['state'] = 'ok',
  network: JobRecord['network'] = 'aipg',
): JobRecord {
  return {
    network,
    jobId: id,
    model: 'grid/m',
    promptTokens: 5,
    completionTokens: 10,
    durationMs: 100,
    tokensPerSecond: 50,
    reward,
    state,
    error: null,
    startedAt: finishedAt - 100,
    finishedAt,
  }
}

describe('earnings history from the ledger', () => {
  const ledger = new JobsRepository(db)
  ledger.record(job('a', at(0, 15, 5), 1.5))
  ledger.record(job('b', at(0, 15, 10), 2))
  ledger.record(job('c', at(0, 9, 30), 0.25))
  ledger.record(job('failed', at(0, 9, 31), 0, 'faulted'))
  ledger.record(job('d', at(3, 23, 59), 4))
  ledger.record(job('e', at(20, 12), null))
  ledger.record(job('too-old', at(40, 12), 100))
  ledger.record(job('horde', at(0, 15, 12), 7, 'ok', 'horde'))

  const history = (range: '24h' | '7d' | '30d') => buildHistory(range, now, ledger.hourly(historyStart(range, now)))

  it('buckets the last 24 hours by hour, empty hours included, failed jobs left out', () => {
    const day = history('24h')
    expect(day.bucket).toBe('hour')
    expect(day.buckets).toHaveLength(24)
    // Den and kudos in the same hour stay apart.
    expect(day.buckets.at(-1)).toMatchObject({ start: at(0, 15), jobs: 3, tokens: 30, rewards: { aipg: 3.5, horde: 7 } })
    expect(day.buckets.find((bucket) => bucket.start === at(0, 9))).toMatchObject({ jobs: 1, rewards: { aipg: 0.25, horde: 0 } })
    expect(day.buckets.reduce((sum, bucket) => sum + bucket.jobs, 0)).toBe(4)
  })

  it('buckets 7 and 30 days by local day; a job just before midnight stays on its day', () => {
    const week = history('7d')
    expect(week.buckets.map((bucket) => bucket.start)).toEqual([6, 5, 4, 3, 2, 1, 0].map((daysAgo) => at(daysAgo, 0)))
    expect(week.buckets[3]).toMatchObject({ jobs: 1, rewards: { aipg: 4, horde: 0 } })
    expect(week.buckets[6]).toMatchObject({ jobs: 4, rewards: { aipg: 3.75, horde: 7 } })
    const month = history('30d')
    expect(month.buckets).toHaveLength(30)
    expect(month.buckets.reduce((sum, bucket) => sum + bucket.jobs, 0)).toBe(6)
    expect(month.buckets.reduce((sum, bucket) => sum + bucket.rewards.aipg, 0)).toBeCloseTo(7.75, 2)
  })
})
