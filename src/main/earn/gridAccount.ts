import { z } from 'zod'
import type { AccountTotals, GridNetwork } from '../../shared/domain.js'

/** Where and as whom to ask the grid. */
export interface GridAccess {
  network: GridNetwork
  gridUrl: string
  apiKey: string
  /** The Client-Agent header (grid-protocol.md §2). */
  agent: string
  fetch?: typeof fetch
}

/** Why the grid could not answer: `refused` (the key), `unreachable` (network, 5xx, not a grid). */
export class GridAccountError extends Error {
  constructor(
    readonly kind: 'refused' | 'unreachable',
    message: string,
  ) {
    super(message)
    this.name = 'GridAccountError'
  }
}

const REQUEST_TIMEOUT_MS = 10_000

const aipgWorkersSchema = z.looseObject({
  count: z.number().catch(0),
  online: z.number().catch(0),
  den_earned: z.number().catch(0),
  jobs_completed: z.number().catch(0),
})

const hordeUserSchema = z.looseObject({
  username: z.string().catch('unknown'),
  kudos: z.number().nullable().catch(null),
  worker_ids: z.array(z.string()).nullish().catch(null),
})

const hordeWorkerSchema = z.looseObject({
  online: z.boolean().catch(false),
  requests_fulfilled: z.number().catch(0),
  kudos_rewards: z.number().catch(0),
})

/** The account's totals: AIPG `GET /v1/account/workers`; Horde `find_user` then `workers/{id}` of each worker. */
export async function fetchAccountTotals(access: GridAccess): Promise<NonNullable<AccountTotals['totals']>> {
  if (access.network === 'aipg') {
    const body = aipgWorkersSchema.parse(await getJson(access, '/v1/account/workers'))
    return { user: null, rewards: body.den_earned, jobs: body.jobs_completed, workers: body.count, workersOnline: body.online, balance: null }
  }
  const user = hordeUserSchema.parse(await getJson(access, '/api/v2/find_user'))
  const ids = (user.worker_ids ?? []).slice(0, 50)
  const workers = await Promise.all(
    ids.map(async (id) => hordeWorkerSchema.parse(await getJson(access, `/api/v2/workers/${encodeURIComponent(id)}`))),
  )
  return {
    user: user.username,
    rewards: workers.reduce((sum, worker) => sum + worker.kudos_rewards, 0),
    jobs: workers.reduce((sum, worker) => sum + worker.requests_fulfilled, 0),
    workers: workers.length,
    workersOnline: workers.filter((worker) => worker.online).length,
    balance: user.kudos,
  }
}

/** GETs JSON with the key; every failure becomes a classified `GridAccountError`. */
export async function getJson(access: GridAccess, path: string): Promise<unknown> {
  const url = gridEndpointUrl(access.gridUrl, path)
  let response: Response
  try {
    response = await (access.fetch ?? fetch)(url, {
      headers: { apikey: access.apiKey, 'Client-Agent': access.agent, accept: 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
  } catch {
    throw new GridAccountError('unreachable', 'The grid could not be reached.')
  }
  if (response.status === 401 || response.status === 403 || (access.network === 'horde' && response.status === 404 && path.endsWith('find_user'))) {
    throw new GridAccountError('refused', 'The grid does not recognise this API key.')
  }
  if (!response.ok) throw new GridAccountError('unreachable', `The grid answered ${response.status}.`)
  try {
    return await response.json()
  } catch {
    throw new GridAccountError('unreachable', 'The grid sent an answer that is not JSON.')
  }
}

/**
 * `path` under the grid URL, keeping a path prefix (a grid behind `https://host/grid`); a trailing `/api`
 * is dropped, as the worker does, so `https://aihorde.net/api` and `https://aihorde.net` both work.
 */
export function gridEndpointUrl(gridUrl: string, path: string): URL {
  const url = new URL(gridUrl)
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/api$/, '') + path
  url.search = ''
  url.hash = ''
  return url
}
