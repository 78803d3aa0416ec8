import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { advertisedModels, gridNamesOf } from '../../src/grid/advertisedNames.js'
import {
  bundledDenRegistry,
  ggufIdentityNames,
  multiplierOf,
  readDenRegistry,
  registryKey,
  registryNameOf,
  SEED_REGISTRY,
} from '../../src/grid/denRegistry.js'
import { loadCatalog } from '../../src/main/models/catalog.js'
import { modelRateOf } from '../../src/main/earn/modelRate.js'

const shippedText = readFileSync(join(import.meta.dirname, '..', '..', 'resources', 'den-registry.json'), 'utf8')

describe('the model registry map (resources/den-registry.json)', () => {
  it('ships the seed of §16.5 and parses without a problem', () => {
    const shipped = readDenRegistry(shippedText, 'resources/den-registry.json')
    expect(shipped.problem).toBeNull()
    expect(Object.fromEntries(shipped.registry)).toEqual({ 'gpt-oss-20b': 20, 'gpt-oss-120b': 120, 'qwen3-27b': 27, 'qwen3.6-27b': 27 })
    expect(bundledDenRegistry()).toEqual(shipped)
  })

  it('falls back to the built-in seed with one clear sentence when the file is broken', () => {
    const truncated = readDenRegistry(shippedText.slice(0, 40), 'den-registry.json')
    expect(truncated.registry).toBe(SEED_REGISTRY)
    expect(truncated.problem).toBe('The model registry den-registry.json is not valid JSON; using the built-in list of 4 models.')

    const negative = readDenRegistry(JSON.stringify({ version: 1, models: { 'gpt-oss-20b': -20 } }), 'den-registry.json')
    expect(negative.registry).toBe(SEED_REGISTRY)
    expect(negative.problem).toMatch(
      /^The model registry den-registry\.json does not have the expected shape \(.+ at models\.gpt-oss-20b\); using the built-in list of 4 models\.$/,
    )

    const upperCase = readDenRegistry(JSON.stringify({ version: 1, models: { 'GPT-OSS-20B': 20 } }), 'x')
    expect(upperCase.problem).toMatch(/at models\.GPT-OSS-20B\)/)
    expect(readDenRegistry(JSON.stringify({ version: 2, models: { a: 1 } }), 'x').problem).toMatch(/expected shape/)
  })

  it('looks multipliers up by the exact name after lowercasing and trimming, as core does', () => {
    expect(multiplierOf(SEED_REGISTRY, 'gpt-oss-20b')).toBe(20)
    expect(multiplierOf(SEED_REGISTRY, ' GPT-OSS-120B ')).toBe(120)
    // A prefix makes a registered model unregistered.
    expect(multiplierOf(SEED_REGISTRY, 'grid/gpt-oss-20b')).toBe(1)
    expect(multiplierOf(SEED_REGISTRY, 'Qwen3-8B')).toBe(1)
  })
})

describe('which registry model a GGUF file is', () => {
  it('reads GGUF names and file names without their quantization labels', () => {
    expect(registryKey('Gpt Oss 20b')).toBe('gpt-oss-20b')
    expect(registryKey('gpt-oss-20b-Q4_K_M.gguf')).toBe('gpt-oss-20b')
    expect(registryKey('gpt-oss-20b-mxfp4.gguf')).toBe('gpt-oss-20b')
    expect(registryKey('gpt-oss-120b-UD-Q4_K_XL.gguf')).toBe('gpt-oss-120b')
    expect(registryKey('Qwen3.6-27B-Q5_K_M.gguf')).toBe('qwen3.6-27b')
    expect(registryKey('Qwen3-4B-Q4_K_M.gguf')).toBe('qwen3-4b')
  })

  it("takes a GGUF header's general.name, and its basename with its size label", () => {
    expect(ggufIdentityNames({ name: 'OpenAI GPT OSS', basename: 'gpt-oss', size_label: '20B' })).toEqual(['OpenAI GPT OSS', 'gpt-oss-20B'])
    expect(registryNameOf(SEED_REGISTRY, ggufIdentityNames({ name: 'OpenAI GPT OSS', basename: 'gpt-oss', size_label: '20B' }))).toBe(
      'gpt-oss-20b',
    )
    expect(ggufIdentityNames({ basename: 'gpt-oss' })).toEqual([])
  })

  it('matches the first known name that is a registry name, and nothing else', () => {
    expect(registryNameOf(SEED_REGISTRY, [null, 'Gpt Oss 20b', 'renamed.gguf'])).toBe('gpt-oss-20b')
    expect(registryNameOf(SEED_REGISTRY, [undefined, 'openai_gpt-oss-120b-Q4_K_M.gguf'])).toBeNull()
    expect(registryNameOf(SEED_REGISTRY, ['gpt-oss-20b-abliterated-Q4_K_M.gguf'])).toBeNull()
    expect(registryNameOf(SEED_REGISTRY, ['Qwen3-14B-Q4_K_M.gguf'])).toBeNull()
  })
})

describe('advertised names on each grid', () => {
  const catalog = loadCatalog()

  it('advertises the catalog gpt-oss-20b on AIPG under its exact registry name, never with grid/', () => {
    const names = gridNamesOf(catalog, SEED_REGISTRY, { catalogId: 'gpt-oss-20b-q4km', fileName: 'gpt-oss-20b-Q4_K_M.gguf' })
    expect(advertisedModels('aipg', 'gpt-oss-20b-Q4_K_M.gguf', names)).toEqual(['gpt-oss-20b'])
    expect(advertisedModels('horde', 'gpt-oss-20b-Q4_K_M.gguf', names)).toEqual(['koboldcpp/gpt-oss-20b'])
  })

  it('finds a registry model downloaded elsewhere by its GGUF general.name or its file name', () => {
    const byGgufName = gridNamesOf(catalog, SEED_REGISTRY, { fileName: 'my-download.gguf', ggufNames: ['Gpt Oss 120b'] })
    expect(advertisedModels('aipg', 'my-download.gguf', byGgufName)).toEqual(['gpt-oss-120b'])
    expect(advertisedModels('horde', 'my-download.gguf', byGgufName)).toEqual(['koboldcpp/my-download'])
    const byFileName = gridNamesOf(catalog, SEED_REGISTRY, { fileName: 'gpt-oss-20b-mxfp4.gguf' })
    expect(advertisedModels('aipg', 'gpt-oss-20b-mxfp4.gguf', byFileName)).toEqual(['gpt-oss-20b'])
  })

  it('keeps descriptive names for models the registry does not list', () => {
    const qwen = gridNamesOf(catalog, SEED_REGISTRY, { catalogId: 'qwen3-8b-q4km', fileName: 'Qwen3-8B-Q4_K_M.gguf' })
    expect(advertisedModels('aipg', 'Qwen3-8B-Q4_K_M.gguf', qwen)).toEqual(['grid/Qwen3-8B'])
    const other = gridNamesOf(catalog, SEED_REGISTRY, { fileName: 'stories260K.gguf', ggufNames: ['stories260K'] })
    expect(other).toBeNull()
    expect(advertisedModels('aipg', 'stories260K.gguf', other)).toEqual(['grid/stories260K'])
  })

  it('follows a registry the grid publishes: a newly listed model gets its registry name and multiplier', () => {
    const published = new Map([...SEED_REGISTRY, ['qwen3-8b', 8]])
    const names = gridNamesOf(catalog, published, { catalogId: 'qwen3-8b-q4km', fileName: 'Qwen3-8B-Q4_K_M.gguf' })
    expect(names).toEqual({ aipg: 'qwen3-8b', horde: 'koboldcpp/Qwen3-8B' })
    expect(modelRateOf({ path: '/m/Qwen3-8B-Q4_K_M.gguf', fileName: 'Qwen3-8B-Q4_K_M.gguf' }, names, published)).toMatchObject({
      advertisedName: 'qwen3-8b',
      multiplier: 8,
      registered: true,
    })
    expect(modelRateOf({ path: '/m/x.gguf', fileName: 'x.gguf' }, null, published)).toMatchObject({
      advertisedName: 'grid/x',
      multiplier: 1,
      registered: false,
    })
  })
})
