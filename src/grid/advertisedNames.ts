import type { GridNetwork } from '../shared/domain.js'
import type { CatalogEntry } from '../shared/models.js'
import { registryNameOf, type DenRegistry } from './denRegistry.js'

/** A model file as the catalog and its GGUF header may know it. */
export interface ModelFileIdentity {
  /** The catalog entry it was registered from, if any. */
  catalogId?: string | null
  fileName: string
  /** GGUF `general.name`, and `general.basename` with `general.size_label` when known. */
  ggufNames?: readonly (string | null | undefined)[]
}

/**
 * The grid names of a model file when it is a catalog model: registered from the catalog, or the catalog's
 * file under its own name (downloaded elsewhere). The Horde pays more for names in its model reference.
 */
export function catalogNamesOf(catalog: readonly CatalogEntry[], model: ModelFileIdentity): CatalogEntry['advertised'] | null {
  return catalogEntryOf(catalog, model)?.advertised ?? null
}

/**
 * The grid names of a model file, knowing AIPG's registry: a registry model (by its catalog entry's AIPG name,
 * else by its GGUF names or file name) is advertised on AIPG under its exact registry name, since den is
 * looked up by that exact name (§16.5); other files keep their catalog names, or null for the file-stem default.
 */
export function gridNamesOf(
  catalog: readonly CatalogEntry[],
  registry: DenRegistry,
  model: ModelFileIdentity,
): CatalogEntry['advertised'] | null {
  const entry = catalogEntryOf(catalog, model)
  const registered = registryNameOf(registry, [entry?.advertised.aipg, ...(model.ggufNames ?? []), model.fileName])
  if (!registered) return entry?.advertised ?? null
  return { aipg: registered, horde: entry?.advertised.horde ?? `koboldcpp/${stemOf(model.fileName)}` }
}

/**
 * Model names to advertise for a GGUF file: the names given (the catalog's or the registry's: they match
 * what requesters ask for), otherwise AIPG's `grid/<model>` convention and koboldcpp's `koboldcpp/<file stem>`
 * on the Horde, which the Horde's model reference lists (§14).
 */
export function advertisedModels(network: GridNetwork, fileName: string, names: CatalogEntry['advertised'] | null = null): string[] {
  if (names) return [names[network]]
  const stem = stemOf(fileName)
  return network === 'aipg' ? [`grid/${stem}`] : [`koboldcpp/${stem}`]
}

function catalogEntryOf(catalog: readonly CatalogEntry[], model: ModelFileIdentity): CatalogEntry | undefined {
  return (model.catalogId ? catalog.find((e) => e.id === model.catalogId) : undefined) ?? catalog.find((e) => e.fileName === model.fileName)
}

function stemOf(fileName: string): string {
  return fileName.replace(/\.gguf$/i, '')
}
