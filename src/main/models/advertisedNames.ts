import { basename } from 'node:path'
import type { CatalogEntry } from '../../shared/models.js'
import type { ModelsRepository } from '../store/modelsRepository.js'

/**
 * The grid names of a model file when it is a catalog model: registered from the catalog, or the catalog's
 * file under its own name (downloaded elsewhere). The Horde pays more for names in its model reference.
 */
export function catalogNamesFor(
  path: string,
  repo: ModelsRepository,
  catalog: readonly CatalogEntry[],
): CatalogEntry['advertised'] | null {
  const catalogId = repo.findModelByPath(path)?.catalogId
  const entry =
    (catalogId ? catalog.find((e) => e.id === catalogId) : undefined) ?? catalog.find((e) => e.fileName === basename(path))
  return entry?.advertised ?? null
}
