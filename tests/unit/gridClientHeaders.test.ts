import { describe, expect, it } from 'vitest'
import { advertisedLimits } from '../../src/grid/advertisedLimits.js'
import { advertisedModels, catalogNamesOf } from '../../src/grid/advertisedNames.js'
import { aipgRegistration } from '../../src/grid/aipgRegistration.js'
import { bridgeAgent, gridHeaders, HORDE_ANONYMOUS_KEY } from '../../src/grid/gridAuth.js'
import { getGridJson } from '../../src/grid/gridRequest.js'
import type { CatalogEntry } from '../../src/shared/models.js'

const agent = bridgeAgent('1.2.3')

describe('auth headers', () => {
  it('names GridForge in the three-part Client-Agent the grids log', () => {
    expect(agent).toBe('GridForge:1.2.3:https://aipowergrid.io')
  })

  it('sends the Horde its apikey header, the anonymous key when none is stored', () => {
    expect(gridHeaders('horde', { apiKey: 'horde-key', agent })).toEqual({ apikey: 'horde-key', 'Client-Agent': agent })
    expect(gridHeaders('horde', { apiKey: null, agent })).toEqual({ apikey: '0000000000', 'Client-Agent': agent })
    expect(HORDE_ANONYMOUS_KEY).toBe('0000000000')
  })

  it('sends AIPG a bearer token, and no credential at all without a key', () => {
    expect(gridHeaders('aipg', { apiKey: 'grid_key', agent })).toEqual({ Authorization: 'Bearer grid_key', 'Client-Agent': agent })
    expect(gridHeaders('aipg', { apiKey: null, agent })).toEqual({ 'Client-Agent': agent })
  })

  it('adds the JSON body and accepted type when asked', () => {
    expect(gridHeaders('horde', { apiKey: 'k', agent }, { json: true, accept: 'application/json' })).toEqual({
      apikey: 'k',
      'Client-Agent': agent,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    })
    expect(gridHeaders('aipg', { apiKey: 'k', agent }, { accept: 'text/event-stream' })).toMatchObject({ Accept: 'text/event-stream' })
  })

  it('puts them on the wire of each network, to that network’s URL', async () => {
    const seen: Array<{ url: string; headers: Record<string, string> }> = []
    const fake = (async (input: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(input), headers: init?.headers as Record<string, string> })
      return new Response('{}', { status: 200 })
    }) as typeof fetch
    await getGridJson(
      { network: 'aipg', gridUrl: 'https://grid.example.com/x/', apiKey: 'grid_key', agent, fetch: fake },
      '/account/workers',
    )
    await getGridJson({ network: 'horde', gridUrl: 'https://aihorde.net/api', apiKey: 'horde-key', agent, fetch: fake }, '/find_user')
    expect(seen).toEqual([
      {
        url: 'https://grid.example.com/x/v1/account/workers',
        headers: { Authorization: 'Bearer grid_key', 'Client-Agent': agent, Accept: 'application/json' },
      },
      { url: 'https://aihorde.net/api/v2/find_user', headers: { apikey: 'horde-key', 'Client-Agent': agent, Accept: 'application/json' } },
    ])
  })
})

describe('the AIPG registration frame', () => {
  it('carries the key, the name, the models and limits, as a text-only OpenAI-chat worker', () => {
    expect(
      aipgRegistration({ apiKey: 'grid_key', name: 'rig-1', models: ['qwen3-27b'], maxLength: 512, maxContextLength: 8192, agent }),
    ).toEqual({
      apikey: 'grid_key',
      name: 'rig-1',
      models: ['qwen3-27b'],
      max_length: 512,
      max_context_length: 8192,
      bridge_agent: 'GridForge:1.2.3:https://aipowergrid.io',
      job_types: ['text'],
      api_formats: ['openai-chat'],
      modalities: ['text'],
    })
  })
})

describe('the max-length clamp', () => {
  it('never advertises more context than the model holds, and keeps room for a prompt', () => {
    expect(advertisedLimits({ maxLength: 512, maxContextLength: 4096 }, 2048)).toEqual({ maxLength: 512, maxContextLength: 2048 })
    expect(advertisedLimits({ maxLength: 4096, maxContextLength: 8192 }, 1024)).toEqual({ maxLength: 1008, maxContextLength: 1024 })
    expect(advertisedLimits({ maxLength: 64, maxContextLength: 512 }, 4096)).toEqual({ maxLength: 64, maxContextLength: 512 })
  })

  it('still allows a short reply on a tiny context', () => {
    expect(advertisedLimits({ maxLength: 512, maxContextLength: 20 }, 20)).toEqual({ maxLength: 16, maxContextLength: 20 })
  })

  it('advertises the loaded context and 512-token replies when nothing is asked for', () => {
    expect(advertisedLimits({}, 2048)).toEqual({ maxLength: 512, maxContextLength: 2048 })
    expect(advertisedLimits({ maxLength: null, maxContextLength: null }, 8192)).toEqual({ maxLength: 512, maxContextLength: 8192 })
  })
})

describe('advertised names', () => {
  const entry = (id: string, fileName: string, aipg: string, horde: string) =>
    ({ id, fileName, advertised: { aipg, horde } }) as unknown as CatalogEntry
  const catalog = [entry('qwen-small', 'qwen2.5-0.5b-instruct-q4_k_m.gguf', 'qwen2.5-0.5b', 'koboldcpp/Qwen2.5-0.5B-Instruct')]

  it('finds a catalog model by the entry it came from, or by its file name when downloaded elsewhere', () => {
    expect(catalogNamesOf(catalog, { catalogId: 'qwen-small', fileName: 'renamed.gguf' })).toEqual({
      aipg: 'qwen2.5-0.5b',
      horde: 'koboldcpp/Qwen2.5-0.5B-Instruct',
    })
    expect(catalogNamesOf(catalog, { catalogId: null, fileName: 'qwen2.5-0.5b-instruct-q4_k_m.gguf' })?.aipg).toBe('qwen2.5-0.5b')
    expect(catalogNamesOf(catalog, { fileName: 'my-model.gguf' })).toBeNull()
  })

  it('advertises the catalog name on each grid, else each grid’s convention for the file stem', () => {
    const names = catalogNamesOf(catalog, { fileName: 'qwen2.5-0.5b-instruct-q4_k_m.gguf' })
    expect(advertisedModels('aipg', 'qwen2.5-0.5b-instruct-q4_k_m.gguf', names)).toEqual(['qwen2.5-0.5b'])
    expect(advertisedModels('horde', 'qwen2.5-0.5b-instruct-q4_k_m.gguf', names)).toEqual(['koboldcpp/Qwen2.5-0.5B-Instruct'])
    expect(advertisedModels('aipg', 'My-Model.GGUF')).toEqual(['grid/My-Model'])
    expect(advertisedModels('horde', 'my-model.gguf', null)).toEqual(['koboldcpp/my-model'])
  })
})
