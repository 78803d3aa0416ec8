import { z } from 'zod'
import { GridError } from '../../grid/gridError.js'
import { getGridJson, type GridAccess } from '../../grid/gridRequest.js'
import type { AccountTotals } from '../../shared/domain.js'

/** Model names as a grid lists them; anything else is no list. */
const modelNames = z.array(z.string().max(200)).max(100).catch([])

const aipgWorkersSchema = z.looseObject({
  count: z.number().catch(0),
  online: z.number().catch(0),
  den_earned: z.number().catch(0),
  jobs_completed: z.number().catch(0),
  workers: z
    .array(
      z.looseObject({
        name: z.string().max(200).catch('unnamed'),
        online: z.boolean().catch(false),
        last_seen: z.unknown().optional(),
        models: modelNames,
        den_earned: z.number().nullish().catch(null),
        jobs_completed: z.number().nullish().catch(null),
        maintenance: z.boolean().catch(false),
      }),
    )
    .max(500)
    .catch([]),
})

const hordeUserSchema = z.looseObject({
  username: z.string().catch('unknown'),
  kudos: z.number().nullable().catch(null),
  worker_ids: z.array(z.string()).nullish().catch(null),
})

const hordeWorkerSchema = z.looseObject({
  name: z.string().max(200).catch('unnamed'),
  online: z.boolean().catch(false),
  requests_fulfilled: z.number().catch(0),
  kudos_rewards: z.number().catch(0),
  models: modelNames,
  maintenance_mode: z.boolean().catch(false),
  performance: z.string().max(200).nullish().catch(null),
})

/**
 * The account's totals: AIPG `GET /v1/account/workers`; Horde `find_user` then `workers/{id}` of each worker.
 * Failures are `GridError`s; `isKeyRefusal` tells the key's fault from the grid's.
 */
export async function fetchAccountTotals(access: GridAccess): Promise<NonNullable<AccountTotals['totals']>> {
  if (access.network === 'aipg') {
    const body = aipgWorkersSchema.parse(await getGridJson(access, '/account/workers'))
    const rigs = body.workers.map((worker) => ({
      name: worker.name,
      online: worker.online,
      lastSeen: seenAt(worker.last_seen),
      models: worker.models,
      rewards: worker.den_earned ?? null,
      jobs: worker.jobs_completed ?? null,
      maintenance: worker.maintenance,
      // core's list carries no speed per worker.
      tokensPerSecond: null,
    }))
    return {
      user: null,
      rewards: body.den_earned,
      jobs: body.jobs_completed,
      workers: body.count,
      workersOnline: body.online,
      balance: null,
      rigs,
    }
  }
  const user = hordeUserSchema.parse(await findHordeUser(access))
  const ids = (user.worker_ids ?? []).slice(0, 50)
  const workers = await Promise.all(
    ids.map(async (id) => hordeWorkerSchema.parse(await getGridJson(access, `/workers/${encodeURIComponent(id)}`))),
  )
  return {
    user: user.username,
    rewards: workers.reduce((sum, worker) => sum + worker.kudos_rewards, 0),
    jobs: workers.reduce((sum, worker) => sum + worker.requests_fulfilled, 0),
    workers: workers.length,
    workersOnline: workers.filter((worker) => worker.online).length,
    balance: user.kudos,
    rigs: workers.map((worker) => ({
      name: worker.name,
      online: worker.online,
      lastSeen: null,
      models: worker.models,
      rewards: worker.kudos_rewards,
      jobs: worker.requests_fulfilled,
      maintenance: worker.maintenance_mode,
      tokensPerSecond: tokensPerSecondOf(worker.performance),
    })),
  }
}

/** The Horde's `performance` is words ("14.2 tokens per second", grid-protocol.md §8.4), not a number. */
function tokensPerSecondOf(performance: string | null | undefined): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s+tokens per second/i.exec(performance ?? '')
  return match ? Number(match[1]) : null
}

/** `last_seen` as an ISO time or epoch seconds; null when missing or unreadable. */
function seenAt(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value
  if (typeof value !== 'string') return null
  const at = Date.parse(value)
  return Number.isFinite(at) ? at : null
}

/** The Horde's `find_user`; it answers an unknown key with 404 (UserNotFound), which is the key's fault. */
export async function findHordeUser(access: GridAccess): Promise<unknown> {
  try {
    return await getGridJson(access, '/find_user')
  } catch (error) {
    if (error instanceof GridError && error.details.status === 404) {
      throw new GridError('key-refused', 'The grid does not recognise this API key.', error.details)
    }
    throw error
  }
}

/** True when the grid refused the key itself, not when it failed or could not be reached. */
export function isKeyRefusal(error: unknown): boolean {
  return error instanceof GridError && (error.kind === 'key-refused' || error.kind === 'forbidden')
}
