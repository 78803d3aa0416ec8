import { describe, expect, it } from 'vitest'
import { SEED_REGISTRY } from '../../src/grid/denRegistry.js'
import { loadCatalog } from '../../src/main/models/catalog.js'
import { serverModelNames } from '../../src/worker/bridge/serverModelNames.js'

const catalog = loadCatalog()
const names = (id: string, chosen: string | null = null) => serverModelNames(id, catalog, SEED_REGISTRY, chosen)

describe("a bridged model's grid names (den pays only the exact registry name, §16.5)", () => {
  it.each([
    ['gpt-oss:20b', 'gpt-oss-20b'],
    ['openai/gpt-oss-120b', 'gpt-oss-120b'],
    ['/models/gpt-oss-20b-Q4_K_M.gguf', 'gpt-oss-20b'],
    ['unsloth/Qwen3-27B-GGUF', 'qwen3-27b'],
    ['qwen3:27b-q4_K_M', 'qwen3-27b'],
    ['koboldcpp/gpt-oss-20b-mxfp4', 'gpt-oss-20b'],
  ])('names the server model %s by its registry name %s on AIPG, with its multiplier', (id, registered) => {
    expect(names(id)).toMatchObject({ aipg: registered, registered: true, multiplier: SEED_REGISTRY.get(registered), suggestions: [] })
  })

  it('names a catalog model by its catalog names, whatever file name the server lists', () => {
    expect(names('Llama-3.2-1B-Instruct-Q4_K_M.gguf')).toMatchObject({
      aipg: 'grid/Llama-3.2-1B-Instruct',
      horde: 'koboldcpp/Llama-3.2-1B-Instruct',
      registered: false,
    })
  })

  it('keeps a descriptive name for an unknown model and suggests the registry names it may be when the size is missing', () => {
    expect(names('llama3')).toEqual({ aipg: 'grid/llama3', horde: 'koboldcpp/llama3', registered: false, multiplier: 1, suggestions: [] })
    expect(names('gpt-oss:latest')).toMatchObject({
      aipg: 'grid/gpt-oss:latest',
      registered: false,
      suggestions: ['gpt-oss-120b', 'gpt-oss-20b'],
    })
    expect(names('qwen3').suggestions).toEqual(['qwen3-27b', 'qwen3.6-27b'])
  })

  it('advertises the registry name the user picked, and ignores a pick the registry does not have', () => {
    expect(names('gpt-oss:latest', 'gpt-oss-120b')).toMatchObject({ aipg: 'gpt-oss-120b', registered: true, multiplier: 120 })
    expect(names('llama3', 'llama-3-70b')).toMatchObject({ aipg: 'grid/llama3', registered: false })
  })
})
