import { describe, expect, it } from 'vitest'
import { fetchAccountTotals } from '../../src/main/earn/gridAccount.js'

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })

describe("the account's rigs, for alerts", () => {
  it('lists each AIPG worker with whether it is online and when the grid last saw it', async () => {
    const fake = (async () =>
      json({
        count: 3,
        online: 1,
        den_earned: 4,
        jobs_completed: 9,
        workers: [
          { name: 'rig-a', online: true, last_seen: '2026-12-01T10:00:00Z' },
          { name: 'rig-b', online: false, last_seen: 1_764_583_200 },
          { name: 'rig-c', online: false, last_seen: 'not a time' },
        ],
      })) as typeof fetch
    const totals = await fetchAccountTotals({
      network: 'aipg',
      gridUrl: 'https://api.example.com',
      apiKey: 'k',
      agent: 'GridForge:0:test',
      fetch: fake,
    })
    expect(totals.rigs).toEqual([
      { name: 'rig-a', online: true, lastSeen: Date.parse('2026-12-01T10:00:00Z') },
      { name: 'rig-b', online: false, lastSeen: 1_764_583_200_000 },
      { name: 'rig-c', online: false, lastSeen: null },
    ])
  })

  it('lists each Horde worker by name, without a last-seen time', async () => {
    const fake = (async (input: string | URL | Request) => {
      const url = String(input instanceof Request ? input.url : input)
      if (url.endsWith('/find_user')) return json({ username: 'alice#1', kudos: 10, worker_ids: ['w1'] })
      return json({ name: 'horde-rig', online: false, requests_fulfilled: 2, kudos_rewards: 5 })
    }) as typeof fetch
    const totals = await fetchAccountTotals({
      network: 'horde',
      gridUrl: 'https://horde.example.com',
      apiKey: 'k',
      agent: 'GridForge:0:test',
      fetch: fake,
    })
    expect(totals.rigs).toEqual([{ name: 'horde-rig', online: false, lastSeen: null }])
  })
})
