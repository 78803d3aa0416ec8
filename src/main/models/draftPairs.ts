import type { CatalogEntry, LocalModel } from '../../shared/models.js'

/**
 * The model that drafts chat replies for the model at `targetPath`: a present local model whose catalog
 * entry lists the target's catalog entry in `draftFor` (the smallest such, the fastest to draft). Null
 * for a model from outside the catalog, or when no draft of its family is downloaded. The engine still
 * checks that the two tokenizers are the same before it uses one.
 */
export function draftModelFor(targetPath: string, locals: readonly LocalModel[], catalog: readonly CatalogEntry[]): string | null {
  const target = locals.find((model) => model.path === targetPath)?.catalogId
  if (!target) return null
  const drafts = catalog.filter((entry) => entry.draftFor?.includes(target)).sort((a, b) => a.parameters - b.parameters)
  for (const entry of drafts) {
    const local = locals.find((model) => model.present && model.catalogId === entry.id)
    if (local) return local.path
  }
  return null
}
