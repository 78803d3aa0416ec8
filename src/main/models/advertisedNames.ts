import { basename } from 'node:path'
import { catalogNamesOf } from '../../grid/advertisedNames.js'
import type { CatalogEntry } from '../../shared/models.js'
import type { ModelsRepository } from '../store/modelsRepository.js'

/** The grid names of the model file at `path`, by the catalog entry it was registered from or its file name. */
export function catalogNamesFor(
  path: string,
  repo: ModelsRepository,
  catalog: readonly CatalogEntry[],
): CatalogEntry['advertised'] | null {
  return catalogNamesOf(catalog, { catalogId: repo.findModelByPath(path)?.catalogId, fileName: basename(path) })
}
