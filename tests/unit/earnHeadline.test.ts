import { describe, expect, it } from 'vitest'
import type { EarnHistory, RunningJob } from '../../src/shared/domain.js'
import {
  earnHeadline,
  formatRate,
  liveTokensPerSecond,
  startOfToday,
  totalsSince,
} from '../../src/renderer/src/features/earn/earnHeadline.js'

const job = (tokens: number, startedAt: number): RunningJob => ({ jobId: `j${startedAt}`, network: 'aipg', model: 'm', tokens, startedAt })

describe("the Earn card's headline", () => {
  it('says Earning while connected, Paused with the reason, Starting before, Not earning when off or stopped', () => {
    expect(earnHeadline('working', null)).toMatchObject({ word: 'Earning', tone: 'on', reason: 'Generating for the grid' })
    expect(earnHeadline('waiting', null)).toMatchObject({ word: 'Earning', reason: 'Waiting for jobs' })
    expect(earnHeadline('paused', 'Paused by schedule (resumes 22:00)')).toMatchObject({
      word: 'Paused',
      tone: 'paused',
      reason: 'Paused by schedule (resumes 22:00)',
    })
    expect(earnHeadline('backoff', 'ignored for backoff').reason).toMatch(/^The grid is not answering/)
    expect(earnHeadline('starting', null)).toMatchObject({ word: 'Starting', tone: 'starting' })
    expect(earnHeadline('connecting', null).word).toBe('Starting')
    expect(earnHeadline('off', null)).toEqual({ word: 'Not earning', tone: 'off', reason: null })
    expect(earnHeadline('error', null)).toMatchObject({ word: 'Not earning', tone: 'error' })
  })
})

describe('the live rate', () => {
  it('adds up the rates of the jobs running now, and has none before a token', () => {
    const now = 10_000
    expect(liveTokensPerSecond([], now)).toBeNull()
    expect(liveTokensPerSecond([job(0, 9_000)], now)).toBeNull()
    expect(liveTokensPerSecond([job(40, 8_000)], now)).toBe(20)
    expect(liveTokensPerSecond([job(40, 8_000), job(30, 9_000), job(0, 9_500)], now)).toBe(50)
  })

  it('rounds large rates and keeps one decimal for small ones', () => {
    expect(formatRate(23.4)).toBe('23 tok/s')
    expect(formatRate(4.25)).toBe('4.3 tok/s')
  })
})

describe("today's totals", () => {
  it('count only the buckets since local midnight, each network in its own unit', () => {
    const midnight = startOfToday(new Date(2026, 11, 1, 15, 30).getTime())
    expect(new Date(midnight).getHours()).toBe(0)
    const hour = 3_600_000
    const history: EarnHistory = {
      range: '24h',
      bucket: 'hour',
      buckets: [
        { start: midnight - hour, jobs: 5, tokens: 100, rewards: { aipg: 9, horde: 9 } },
        { start: midnight, jobs: 2, tokens: 40, rewards: { aipg: 0.5, horde: 0 } },
        { start: midnight + 3 * hour, jobs: 1, tokens: 20, rewards: { aipg: 0.25, horde: 3 } },
      ],
    }
    expect(totalsSince(history, midnight)).toEqual({ jobs: 3, rewards: { aipg: 0.75, horde: 3 } })
  })
})
