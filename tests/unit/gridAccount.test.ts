import { describe, expect, it } from 'vitest'
import { fetchAccountTotals } from '../../src/main/earn/gridAccount.js'

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
