import { denRegistryFromJson, type DenRegistry } from './denRegistry.js'
import { getGridJson, type GridAccess } from './gridRequest.js'

/**
 * Where an AIPG grid publishes its model registry (`{version: 1, models: {name: multiplier}}`), once it does:
 * core's registry sync is not built yet (§16.5), so today this answers 404 and the shipped list counts.
 */
export const DEN_REGISTRY_PATH = '/models/registry'

/**
 * The grid's registry, or null when it publishes none, cannot be reached or sends one that does not fit:
 * the caller keeps what it has, and nobody is told, since a grid without one is the normal case today.
 */
export async function fetchDenRegistry(access: GridAccess): Promise<DenRegistry | null> {
  if (access.network !== 'aipg') return null
  let json: unknown
  try {
    json = await getGridJson(access, DEN_REGISTRY_PATH)
  } catch {
    return null
  }
  const read = denRegistryFromJson(json, 'from the grid')
  return read.problem ? null : read.registry
}
