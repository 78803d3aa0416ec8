import { z } from 'zod'
import { getGridJson, type GridAccess } from './gridRequest.js'

const name = z.string().min(1).max(200)

const networkSchema = z.looseObject({
  capacity: z.looseObject({
    redundancy_target: z.number().int().positive().max(1000).catch(3),
    models_below_target: z
      .array(z.unknown())
      .max(2000)
      .catch([])
      .transform((items) => items.flatMap((item) => (typeof item === 'string' ? [item] : [])).slice(0, 2000)),
    models: z.array(z.unknown()).max(2000).catch([]),
  }),
})

const modelSchema = z.looseObject({ name, workers: z.number().int().nonnegative().max(100_000) })
const statusModelSchema = z.looseObject({
  name,
  count: z.number().int().nonnegative().optional().catch(undefined),
  tokens_per_s: z.number().positive().max(100_000).nullish().catch(null),
})

/** What the grid says it needs (§16.6): workers per model now, the redundancy target, and the decode speed workers reach. */
export interface NetworkDemand {
  redundancyTarget: number
  /** Models online with fewer workers than the target (core's `models_below_target`). */
  belowTarget: ReadonlySet<string>
  /** Workers serving each model now, by exact advertised name. */
  workers: ReadonlyMap<string, number>
  /** The grid's measured decode speed per model (`GET /v1/status/models` `tokens_per_s`), where it has one. */
  gridTokensPerSecond: ReadonlyMap<string, number>
}

/**
 * AIPG `GET /v1/status/network` and `GET /v1/status/models` (public; no key needed). Entries that do not fit are
 * skipped; a grid without `/status/models` still gives the worker counts. Grid failures throw their GridError.
 */
export async function fetchNetworkDemand(access: GridAccess): Promise<NetworkDemand> {
  const [network, models] = await Promise.allSettled([getGridJson(access, '/status/network'), getGridJson(access, '/status/models')])
  if (network.status === 'rejected') throw network.reason
  const { capacity } = networkSchema.parse(network.value)
  const workers = new Map<string, number>()
  for (const item of capacity.models) {
    const model = modelSchema.safeParse(item)
    if (model.success) workers.set(model.data.name, model.data.workers)
  }
  const speeds = new Map<string, number>()
  const listed = models.status === 'fulfilled' && Array.isArray(models.value) ? models.value : []
  for (const item of listed) {
    const model = statusModelSchema.safeParse(item)
    if (!model.success) continue
    if (model.data.tokens_per_s) speeds.set(model.data.name, model.data.tokens_per_s)
    if (!workers.has(model.data.name) && model.data.count !== undefined) workers.set(model.data.name, model.data.count)
  }
  return {
    redundancyTarget: capacity.redundancy_target,
    belowTarget: new Set(capacity.models_below_target),
    workers,
    gridTokensPerSecond: speeds,
  }
}
