import { describe, expect, it } from 'vitest'
import { fetchAccountJobs } from '../../src/grid/accountJobs.js'
import { fetchAccountPayouts } from '../../src/grid/accountPayouts.js'
import { fetchAccountTotals } from '../../src/main/earn/gridAccount.js'
import { explorerTxUrl } from '../../src/shared/explorer.js'

/** A grid that answers every request with what account totals need, recording the URLs asked for. */
function recordingFetch() {
  const urls: string[] = []
  const fake = (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input)
    urls.push(url)
    const body = url.endsWith('/find_user')
      ? { username: 'alice#1', kudos: 5, worker_ids: ['w1'] }
      : url.includes('/workers/')
        ? { online: true, requests_fulfilled: 2, kudos_rewards: 3 }
        : { count: 1, online: 1, den_earned: 4, jobs_completed: 2 }
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
  }) as typeof fetch
  return { fake, urls }
}

const access = { apiKey: 'dev-key-alice', agent: 'GridForge:0.0.0-test:https://aipowergrid.io' }

describe('account totals from a grid served under a path', () => {
  it('keeps the path prefix of the grid URL', async () => {
    const aipg = recordingFetch()
    await fetchAccountTotals({ ...access, network: 'aipg', gridUrl: 'https://grid.example.com/prefix/', fetch: aipg.fake })
    expect(aipg.urls).toEqual(['https://grid.example.com/prefix/v1/account/workers'])

    const horde = recordingFetch()
    const totals = await fetchAccountTotals({ ...access, network: 'horde', gridUrl: 'https://horde.example.com/mirror', fetch: horde.fake })
    expect(horde.urls).toEqual(['https://horde.example.com/mirror/api/v2/find_user', 'https://horde.example.com/mirror/api/v2/workers/w1'])
    expect(totals).toMatchObject({ user: 'alice#1', jobs: 2, workers: 1 })
  })

  it('reads a Horde URL given with its /api suffix the way the worker does', async () => {
    const horde = recordingFetch()
    await fetchAccountTotals({ ...access, network: 'horde', gridUrl: 'https://aihorde.net/api', fetch: horde.fake })
    expect(horde.urls[0]).toBe('https://aihorde.net/api/v2/find_user')
  })
})

/** A grid answering one JSON body to every request. */
function answering(body: unknown): typeof fetch {
  return (async () => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })) as typeof fetch
}

const aipg = { ...access, network: 'aipg' as const, gridUrl: 'https://api.example.com' }
const hash = 'c0ffee'.padEnd(64, '0')

describe("the account's AIPG jobs and payouts", () => {
  it('marks a job signed only when the grid says exactly true, and skips entries without a job id', async () => {
    const jobs = await fetchAccountJobs({
      ...aipg,
      fetch: answering({
        jobs: [
          { job_id: 'a', signed: true, result_hash: hash.toUpperCase() },
          { job_id: 'b', signed: 'yes', result_hash: 'not-a-hash' },
          { id: 'c' },
          { signed: true },
        ],
      }),
    })
    expect(jobs).toEqual([
      { jobId: 'a', signed: true, resultHash: hash },
      { jobId: 'b', signed: false, resultHash: null },
      { jobId: 'c', signed: false, resultHash: null },
    ])
    expect(await fetchAccountJobs({ ...aipg, fetch: answering([{ job_id: 'd', signed: false, result_hash: `0x${hash}` }]) })).toEqual([
      { jobId: 'd', signed: false, resultHash: hash },
    ])
  })

  it('reads accrued and paid AIPG and keeps only transaction hashes that are hashes', async () => {
    const payouts = await fetchAccountPayouts({
      ...aipg,
      fetch: answering({
        accrued_aipg: '0.25',
        paid_aipg: 3,
        periods: 2,
        payouts: [
          { period_id: 7, den: 300, aipg: 3, status: 'confirmed', tx_hash: `0x${hash}`, address: `0x${'ab'.repeat(20)}`, paid: true },
          { period_id: 8, den: 25, aipg: 0.25, status: 'pending', tx_hash: 'javascript:alert(1)', address: null, paid: false },
          'garbage',
        ],
      }),
    })
    expect(payouts).toEqual({
      accruedAipg: 0.25,
      paidAipg: 3,
      payouts: [
        { periodId: '7', den: 300, aipg: 3, status: 'confirmed', txHash: `0x${hash}`, address: `0x${'ab'.repeat(20)}` },
        { periodId: '8', den: 25, aipg: 0.25, status: 'pending', txHash: null, address: null },
      ],
    })
    expect(explorerTxUrl(payouts.payouts[0]!.txHash)).toBe(`https://basescan.org/tx/0x${hash}`)
    expect(explorerTxUrl('0x1234')).toBeNull()
  })
})
