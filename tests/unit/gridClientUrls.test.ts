import { describe, expect, it } from 'vitest'
import { GridError } from '../../src/grid/gridError.js'
import { aipgWorkerSocketUrl, apiUrl, gridUrlFor, originOf } from '../../src/grid/gridUrls.js'
import { hordeModels } from '../../src/main/chat/grid/hordeChat.js'

/**
 * Each grid URL a user may type, and where each kind of endpoint then is: the AI Horde's REST API
 * (`/api/v2`), AIPG's REST API (`/v1`) and AIPG's worker WebSocket (`/v1/workers/ws`).
 */
const shapes: Array<{ shape: string; url: string; horde: string; aipg: string; socket: string }> = [
  {
    shape: 'empty (the production grid)',
    url: '',
    horde: 'https://aihorde.net/api/v2/find_user',
    aipg: 'https://api.aipowergrid.io/v1/models',
    socket: 'wss://ws.aipowergrid.io/v1/workers/ws',
  },
  {
    shape: 'custom host',
    url: 'https://grid.example.com',
    horde: 'https://grid.example.com/api/v2/find_user',
    aipg: 'https://grid.example.com/v1/models',
    socket: 'wss://grid.example.com/v1/workers/ws',
  },
  {
    shape: 'custom api. host with a port',
    url: 'https://api.example.com:8443',
    horde: 'https://api.example.com:8443/api/v2/find_user',
    aipg: 'https://api.example.com:8443/v1/models',
    socket: 'wss://ws.example.com:8443/v1/workers/ws',
  },
  {
    shape: 'path prefix',
    url: 'https://example.com/grid',
    horde: 'https://example.com/grid/api/v2/find_user',
    aipg: 'https://example.com/grid/v1/models',
    socket: 'wss://example.com/grid/v1/workers/ws',
  },
  {
    shape: 'path prefix with trailing slashes',
    url: 'https://example.com/grid//',
    horde: 'https://example.com/grid/api/v2/find_user',
    aipg: 'https://example.com/grid/v1/models',
    socket: 'wss://example.com/grid/v1/workers/ws',
  },
  {
    shape: 'trailing slash',
    url: 'https://api.aipowergrid.io/',
    horde: 'https://api.aipowergrid.io/api/v2/find_user',
    aipg: 'https://api.aipowergrid.io/v1/models',
    socket: 'wss://ws.aipowergrid.io/v1/workers/ws',
  },
  {
    shape: '/api suffix',
    url: 'https://aihorde.net/api',
    horde: 'https://aihorde.net/api/v2/find_user',
    aipg: 'https://aihorde.net/v1/models',
    socket: 'wss://aihorde.net/v1/workers/ws',
  },
  {
    shape: '/api/ suffix with a trailing slash under a prefix',
    url: 'https://example.com/grid/api/',
    horde: 'https://example.com/grid/api/v2/find_user',
    aipg: 'https://example.com/grid/v1/models',
    socket: 'wss://example.com/grid/v1/workers/ws',
  },
  {
    shape: 'query and fragment',
    url: 'https://example.com/grid?token=x#top',
    horde: 'https://example.com/grid/api/v2/find_user',
    aipg: 'https://example.com/grid/v1/models',
    socket: 'wss://example.com/grid/v1/workers/ws',
  },
  {
    shape: 'loopback http (127.0.0.1)',
    url: 'http://127.0.0.1:7001',
    horde: 'http://127.0.0.1:7001/api/v2/find_user',
    aipg: 'http://127.0.0.1:7001/v1/models',
    socket: 'ws://127.0.0.1:7001/v1/workers/ws',
  },
  {
    shape: 'loopback http (localhost, prefix, trailing slash)',
    url: 'http://localhost:7001/dev/',
    horde: 'http://localhost:7001/dev/api/v2/find_user',
    aipg: 'http://localhost:7001/dev/v1/models',
    socket: 'ws://localhost:7001/dev/v1/workers/ws',
  },
  {
    shape: 'loopback http (::1, /api suffix)',
    url: 'http://[::1]:7001/api',
    horde: 'http://[::1]:7001/api/v2/find_user',
    aipg: 'http://[::1]:7001/v1/models',
    socket: 'ws://[::1]:7001/v1/workers/ws',
  },
]

describe('grid URLs for every shape, both networks and each endpoint kind', () => {
  it.each(shapes)('$shape', ({ url, horde, aipg, socket }) => {
    expect(apiUrl('horde', url, '/find_user')).toBe(horde)
    expect(apiUrl('aipg', url, '/models')).toBe(aipg)
    expect(aipgWorkerSocketUrl(url)).toBe(socket)
  })

  it('takes each network’s own API root pasted with the URL as the same grid', () => {
    expect(apiUrl('horde', 'https://aihorde.net/api/v2/', '/generate/text/pop')).toBe('https://aihorde.net/api/v2/generate/text/pop')
    expect(apiUrl('aipg', 'https://api.aipowergrid.io/v1', '/chat/completions')).toBe('https://api.aipowergrid.io/v1/chat/completions')
    expect(aipgWorkerSocketUrl('https://api.aipowergrid.io/v1/')).toBe('wss://ws.aipowergrid.io/v1/workers/ws')
    // Another network's root is a path like any other: an AIPG grid under /api/v2 keeps it.
    expect(apiUrl('aipg', 'https://example.com/api/v2', '/models')).toBe('https://example.com/api/v2/v1/models')
  })

  it('keeps the query of an endpoint path', () => {
    expect(apiUrl('horde', 'https://aihorde.net/api/', '/status/models?type=text')).toBe(
      'https://aihorde.net/api/v2/status/models?type=text',
    )
  })

  it('refuses plain http off this PC and anything that is not a web address, before a key could travel', () => {
    for (const bad of [
      'http://grid.example.com',
      'http://10.0.0.2:7001',
      'http://127.0.0.1.evil.example',
      'ftp://aihorde.net',
      'not a url',
    ]) {
      for (const build of [
        () => apiUrl('horde', bad, '/find_user'),
        () => apiUrl('aipg', bad, '/models'),
        () => aipgWorkerSocketUrl(bad),
      ]) {
        let thrown: unknown
        try {
          build()
        } catch (error) {
          thrown = error
        }
        expect(thrown, bad).toBeInstanceOf(GridError)
        expect((thrown as GridError).kind).toBe('bad-url')
        expect((thrown as GridError).action).toBe('stop')
        expect((thrown as GridError).message).toMatch(/^The grid URL (must start with https:\/\/|is not a web address)/)
      }
    }
  })

  it('uses the configured grid only for the network it was set for', () => {
    const settings = { network: 'horde', gridUrl: 'http://127.0.0.1:7001' } as const
    expect(gridUrlFor(settings, 'horde')).toBe('http://127.0.0.1:7001')
    expect(gridUrlFor(settings, 'aipg')).toBe('https://api.aipowergrid.io')
    expect(gridUrlFor({ network: 'aipg', gridUrl: '' }, 'aipg')).toBe('https://api.aipowergrid.io')
    expect(originOf('https://aihorde.net/api/')).toBe('https://aihorde.net')
    expect(originOf('not a url')).toBeNull()
  })
})

describe('grid chat', () => {
  it('asks a Horde given with its /api suffix at /api/v2, not /api/api/v2', async () => {
    const urls: string[] = []
    const fake = (async (input: string | URL | Request) => {
      urls.push(String(input))
      return new Response(JSON.stringify([{ name: 'koboldcpp/tiny', count: 2 }]), { status: 200 })
    }) as typeof fetch
    const models = await hordeModels({ baseUrl: 'https://aihorde.net/api', apiKey: null, agent: 'GridForge:test:x', fetch: fake })
    expect(urls).toEqual(['https://aihorde.net/api/v2/status/models?type=text'])
    expect(models).toEqual([{ id: 'koboldcpp/tiny', workers: 2 }])
  })
})
