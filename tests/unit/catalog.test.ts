import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundledDenRegistry } from '../../src/grid/denRegistry.js'
import { catalogSchema, hfFileUrl, loadCatalog } from '../../src/main/models/catalog.js'
import { resolveModelSource, safeFileName } from '../../src/main/models/modelSource.js'

const file = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'resources', 'catalog.json'), 'utf8')) as unknown

describe('the model catalog (resources/catalog.json)', () => {
  const catalog = loadCatalog()

  it('matches its schema', () => {
    expect(catalogSchema.safeParse(file).success).toBe(true)
  })

  // The range reaches ~21B since gpt-oss-20b (a registry model AIPG pays 20×) and Qwen3 14B joined: both fit a
  // 16 GB desktop GPU, and the fit estimate still keeps them from PCs that cannot hold them.
  it('offers about a dozen instruct models from ~0.5B to ~21B parameters, with unique ids and files', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(9)
    expect(catalog.length).toBeLessThanOrEqual(18)
    const params = catalog.map((entry) => entry.parameters)
    expect(Math.min(...params)).toBeLessThan(0.6e9)
    expect(Math.max(...params)).toBeGreaterThan(7e9)
    expect(Math.max(...params)).toBeLessThan(22e9)
    expect(new Set(catalog.map((entry) => entry.id)).size).toBe(catalog.length)
    expect(new Set(catalog.map((entry) => entry.fileName)).size).toBe(catalog.length)
  })

  it('points every entry at its own file, with a plausible size for its parameters and quantization', () => {
    for (const entry of catalog) {
      expect(entry.uri.endsWith(`/${entry.fileName}`)).toBe(true)
      expect(hfFileUrl(entry.uri)).toMatch(/^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/main\/.+\.gguf$/)
      // Q4_K_M stores about 4.5–5.5 bits per weight (embeddings of small models push it up).
      const bitsPerWeight = (entry.sizeBytes * 8) / entry.parameters
      expect(bitsPerWeight, entry.id).toBeGreaterThan(4)
      expect(bitsPerWeight, entry.id).toBeLessThan(8.5)
    }
  })

  it('advertises each model under the grid names that earn most (registry name or grid/<name> on AIPG, koboldcpp/<name> on the Horde)', () => {
    const registry = bundledDenRegistry().registry
    for (const entry of catalog) {
      const horde = entry.advertised.horde.slice('koboldcpp/'.length)
      // A registry model earns its multiplier only under its exact registry name, never with a grid/ prefix.
      if (registry.has(horde.toLowerCase())) expect(entry.advertised.aipg, entry.id).toBe(horde.toLowerCase())
      else expect(entry.advertised.aipg, entry.id).toBe(`grid/${horde}`)
      // The Horde's reference ignores quantization suffixes; the names carry none.
      expect(horde).not.toMatch(/[-.]Q\d/i)
    }
    expect(catalog.find((entry) => entry.id === 'gpt-oss-20b-q4km')?.advertised.aipg).toBe('gpt-oss-20b')
  })

  it('refuses a prefix-less AIPG name that is not a registry name', () => {
    const models = (file as { models: Array<{ advertised: { aipg: string } }> }).models
    const renamed = {
      ...(file as object),
      models: [{ ...models[0]!, advertised: { ...models[0]!.advertised, aipg: 'Qwen2.5-0.5B-Instruct' } }],
    }
    expect(catalogSchema.safeParse(renamed).success).toBe(false)
  })
})

describe('download sources', () => {
  const catalog = loadCatalog()

  it('resolves catalog ids, hf: file URIs and URLs to a URL and a plain file name', () => {
    const entry = catalog[0]!
    expect(resolveModelSource(entry.id, catalog)).toMatchObject({
      catalogId: entry.id,
      fileName: entry.fileName,
      url: hfFileUrl(entry.uri),
    })
    expect(resolveModelSource('hf:me/repo/sub/x.gguf#dev', catalog)).toMatchObject({
      url: 'https://huggingface.co/me/repo/resolve/dev/sub/x.gguf',
      fileName: 'x.gguf',
    })
    expect(resolveModelSource('https://example.com/a/b%20c.gguf?download=1', catalog).fileName).toBe('b c.gguf')
  })

  it('accepts only plain .gguf file names', () => {
    for (const bad of ['../x.gguf', 'a/b.gguf', 'a\\b.gguf', '.hidden.gguf', 'x.bin', 'c:x.gguf', 'x\u0000.gguf', '']) {
      expect(safeFileName(bad), bad).toBeNull()
    }
    expect(safeFileName('Qwen2.5-7B-Instruct-Q4_K_M.gguf')).toBe('Qwen2.5-7B-Instruct-Q4_K_M.gguf')
  })
})
