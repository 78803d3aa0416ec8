import { describe, expect, it } from 'vitest'
import { loadCatalog } from '../../src/main/models/catalog.js'
import { draftModelFor } from '../../src/main/models/draftPairs.js'
import type { LocalModel } from '../../src/shared/models.js'

const catalog = loadCatalog()

function local(catalogId: string | null, path: string, present = true): LocalModel {
  return {
    id: path,
    path,
    fileName: path,
    sizeBytes: 1,
    owned: true,
    source: null,
    catalogId,
    sha256: null,
    metadata: null,
    fit: null,
    present,
    addedAt: 0,
  }
}

describe('draft pairs in the catalog', () => {
  it('pair each draft with larger models of its own family only', () => {
    const byId = new Map(catalog.map((entry) => [entry.id, entry]))
    const pairs = catalog.flatMap((draft) => (draft.draftFor ?? []).map((id) => ({ draft, target: byId.get(id) })))
    expect(pairs.length).toBeGreaterThanOrEqual(4)
    for (const { draft, target } of pairs) {
      expect(target, `${draft.id} drafts for a model not in the catalog`).toBeDefined()
      expect(target!.templateFamily).toBe(draft.templateFamily)
      expect(target!.parameters).toBeGreaterThan(2 * draft.parameters)
    }
  })

  it('give a downloaded target its smallest downloaded draft, and nothing else a draft', () => {
    const locals = [
      local('qwen2.5-7b-instruct-q4km', '/m/qwen7b.gguf'),
      local('qwen2.5-1.5b-instruct-q4km', '/m/qwen1.5b.gguf'),
      local('qwen2.5-0.5b-instruct-q4km', '/m/qwen0.5b.gguf'),
      local('llama-3.1-8b-instruct-q4km', '/m/llama8b.gguf'),
      local('llama-3.2-1b-instruct-q4km', '/m/llama1b.gguf', false),
      local(null, '/m/own.gguf'),
    ]
    expect(draftModelFor('/m/qwen7b.gguf', locals, catalog)).toBe('/m/qwen0.5b.gguf')
    expect(draftModelFor('/m/qwen1.5b.gguf', locals, catalog)).toBe('/m/qwen0.5b.gguf')
    // The draft's file has gone missing; a model from outside the catalog has no pair; a draft drafts for nothing smaller.
    expect(draftModelFor('/m/llama8b.gguf', locals, catalog)).toBeNull()
    expect(draftModelFor('/m/own.gguf', locals, catalog)).toBeNull()
    expect(draftModelFor('/m/qwen0.5b.gguf', locals, catalog)).toBeNull()
  })
})
