import type { GridNetwork } from '../shared/domain.js'
import type { CatalogEntry } from '../shared/models.js'

/** A model file as the catalog may know it. */
export interface ModelFileIdentity {
  /** The catalog entry it was registered from, if any. */
  catalogId?: string | null
  fileName: string
}

/**
 * The grid names of a model file when it is a catalog model: registered from the catalog, or the catalog's
 * file under its own name (downloaded elsewhere). The Horde pays more for names in its model reference.
 */
export function catalogNamesOf(catalog: readonly CatalogEntry[], model: ModelFileIdentity): CatalogEntry['advertised'] | null {
  const entry = (model.catalogId ? catalog.find((e) => e.id === model.catalogId) : undefined) ?? catalog.find((e) => e.fileName === model.fileName)
  return entry?.advertised ?? null
}

/**
 * Model names to advertise for a GGUF file: the catalog's names when the file came from the catalog (they
 * match what requesters ask for), otherwise AIPG's `grid/<model>` convention and koboldcpp's
 * `koboldcpp/<file stem>` on the Horde, which the Horde's model reference lists (§14).
 */
export function advertisedModels(network: GridNetwork, fileName: string, catalogNames: CatalogEntry['advertised'] | null = null): string[] {
  if (catalogNames) return [catalogNames[network]]
  const stem = fileName.replace(/\.gguf$/i, '')
  return network === 'aipg' ? [`grid/${stem}`] : [`koboldcpp/${stem}`]
}
