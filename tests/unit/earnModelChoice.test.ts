import { describe, expect, it } from 'vitest'
import { defaultEarnModel, earnModelOptions, earnStartPlan } from '../../src/renderer/src/features/earn/earnModelChoice.js'
import type { LoadedModel } from '../../src/shared/domain.js'
import type { CatalogItem, LocalModel } from '../../src/shared/models.js'

const localModel = (id: string, path: string, catalogId: string | null = null): LocalModel =>
  ({ id, path, fileName: path.split('/').at(-1)!, sizeBytes: 2e9, present: true, catalogId }) as LocalModel
const catalogItem = (id: string, localModelId: string | null, recommended = false): CatalogItem =>
  ({ id, name: `Catalog ${id}`, sizeBytes: 4e9, recommended, localModelId }) as CatalogItem
const loaded = { path: '/m/loaded.gguf', fileName: 'loaded.gguf', sizeBytes: 1e9, architecture: null } as LoadedModel

describe('the model Start earning mines', () => {
  const local = [localModel('l1', '/m/loaded.gguf'), localModel('l2', '/m/other.gguf'), localModel('l3', '/m/qwen.gguf', 'qwen')]
  const catalog = [catalogItem('qwen', 'l3', true), catalogItem('llama', null)]

  it('lists the loaded model first, then the files on this PC, then what the catalog would download, each once', () => {
    const options = earnModelOptions(loaded, local, catalog)
    expect(options.map((option) => option.value)).toEqual(['loaded', 'local:l2', 'local:l3', 'catalog:llama'])
    expect(options.at(-1)!.label).toContain('downloads 4.0 GB')
  })

  it('chooses the loaded model, else the last one mined, else a model on this PC before the catalog', () => {
    expect(defaultEarnModel(earnModelOptions(loaded, local, catalog), { kind: 'catalog', catalogId: 'llama' })).toBe('loaded')
    const unloaded = earnModelOptions(null, local, catalog)
    expect(defaultEarnModel(unloaded, { kind: 'catalog', catalogId: 'llama' })).toBe('catalog:llama')
    expect(defaultEarnModel(unloaded, null)).toBe('local:l1')
  })

  it('starts a local model from its file and the loaded one directly; only a catalog model not on this PC is downloaded', () => {
    expect(earnStartPlan('loaded', loaded, local)).toEqual({ kind: 'miner' })
    expect(earnStartPlan('local:l1', loaded, local)).toEqual({ kind: 'miner' })
    expect(earnStartPlan('local:l3', loaded, local)).toEqual({ kind: 'quick-start', choice: { kind: 'local', modelId: 'l3' } })
    expect(earnStartPlan('catalog:llama', null, local)).toEqual({ kind: 'quick-start', choice: { kind: 'catalog', catalogId: 'llama' } })
  })
})
