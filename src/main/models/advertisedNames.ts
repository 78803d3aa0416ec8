import { basename } from 'node:path'
import { gridNamesOf } from '../../grid/advertisedNames.js'
import { bundledDenRegistry, type DenRegistry } from '../../grid/denRegistry.js'
import type { CatalogEntry } from '../../shared/models.js'
import type { ModelsRepository } from '../store/modelsRepository.js'

/**
 * The grid names of the model file at `path`, by the catalog entry it was registered from, its GGUF names
 * (as loaded, else as registered) or its file name; a registry model gets its exact registry name on AIPG (§16.5).
 */
export function catalogNamesFor(
  path: string,
  repo: ModelsRepository,
  catalog: readonly CatalogEntry[],
  registry: DenRegistry = bundledDenRegistry().registry,
  ggufNames: readonly string[] = [],
): CatalogEntry['advertised'] | null {
  const record = repo.findModelByPath(path)
  return gridNamesOf(catalog, registry, {
    catalogId: record?.catalogId,
    fileName: basename(path),
    ggufNames: [...ggufNames, record?.metadata?.name],
  })
}
