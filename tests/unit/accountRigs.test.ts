import { describe, expect, it } from 'vitest'
import { fetchAccountTotals } from '../../src/main/earn/gridAccount.js'

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })

describe("the account's rigs, for the fleet view and alerts", () => {
  it('lists each AIPG worker with whether it is online, when the grid last saw it, its models, den and jobs', async () => {
    const fake = (async () =>
      json({
        count: 3,
        online: 1,
        den_earned: 4,
        jobs_completed: 9,
        workers: [
          {
            name: 'rig-a',
            online: true,
            last_seen: '2026-12-01T10:00:00Z',
            models: ['gpt-oss-20b'],
            den_earned: 3.5,
            jobs_completed: 8,
            maintenance: true,
          },
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
    const unknown = { models: [], rewards: null, jobs: null, maintenance: false, tokensPerSecond: null }
    expect(totals.rigs).toEqual([
      {
        name: 'rig-a',
        online: true,
        lastSeen: Date.parse('2026-12-01T10:00:00Z'),
        models: ['gpt-oss-20b'],
        rewards: 3.5,
        jobs: 8,
        maintenance: true,
        tokensPerSecond: null,
      },
      { name: 'rig-b', online: false, lastSeen: 1_764_583_200_000, ...unknown },
      { name: 'rig-c', online: false, lastSeen: null, ...unknown },
    ])
  })

  it('lists each Horde worker with its kudos, jobs, models, maintenance and the speed read from its performance words', async () => {
    const fake = (async (input: string | URL | Request) => {
      const url = String(input instanceof Request ? input.url : input)
      if (url.endsWith('/find_user')) return json({ username: 'alice#1', kudos: 10, worker_ids: ['w1', 'w2'] })
      if (url.endsWith('/w1'))
        return json({
          name: 'horde-rig',
          online: false,
          requests_fulfilled: 2,
          kudos_rewards: 5,
          models: ['koboldcpp/tiny'],
          maintenance_mode: true,
          performance: '14.2 tokens per second',
        })
      return json({ name: 'other-rig', online: true, requests_fulfilled: 1, kudos_rewards: 1, performance: 'No requests fulfilled yet' })
    }) as typeof fetch
    const totals = await fetchAccountTotals({
      network: 'horde',
      gridUrl: 'https://horde.example.com',
      apiKey: 'k',
      agent: 'GridForge:0:test',
      fetch: fake,
    })
    expect(totals.rigs).toEqual([
      {
        name: 'horde-rig',
        online: false,
        lastSeen: null,
        models: ['koboldcpp/tiny'],
        rewards: 5,
        jobs: 2,
        maintenance: true,
        tokensPerSecond: 14.2,
      },
      { name: 'other-rig', online: true, lastSeen: null, models: [], rewards: 1, jobs: 1, maintenance: false, tokensPerSecond: null },
    ])
  })
})
