import { describe, expect, it } from 'vitest'
import { classifyClose, closeError, upgradeRefused } from '../../src/grid/aipgSocketErrors.js'
import { errorAnswer, readErrorBody } from '../../src/grid/errorAnswer.js'
import { asGridError, GridError } from '../../src/grid/gridError.js'
import { getGridJson } from '../../src/grid/gridRequest.js'
import { chatError } from '../../src/main/chat/grid/gridErrors.js'
import { findHordeUser, isKeyRefusal } from '../../src/main/earn/gridAccount.js'
import { AipgConnection } from '../../src/worker/transports/aipgSocket.js'
import { freePort } from '../support/freePort.js'

const registration = {
  apikey: 'k',
  name: 'rig',
  models: ['m'],
  max_length: 64,
  max_context_length: 512,
  bridge_agent: 'test',
  job_types: ['text'],
  api_formats: ['openai'],
  modalities: ['text'],
}

const json = (body: unknown) => JSON.stringify(body)
const agent = 'GridForge:test:x'

/** A grid that answers every request with one response. */
function answering(status: number, body: string, headers: Record<string, string> = {}) {
  return (async () => new Response(body, { status, headers })) as unknown as typeof fetch
}

async function failureOf(promise: Promise<unknown>): Promise<GridError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof GridError) return error
    throw error
  }
  throw new Error('expected a GridError')
}

describe('401 and 403: the key, the worker, or a proxy', () => {
  it('reads 401 as a refused key on both networks, in the grid’s words', () => {
    const horde = errorAnswer('horde', 401, json({ message: 'No user matching sent API Key.', rc: 'InvalidAPIKey' }), null)
    expect(horde).toMatchObject({
      kind: 'key-refused',
      action: 'stop',
      message: 'The API key was refused; check it. (No user matching sent API Key.)',
      details: { status: 401, rc: 'InvalidAPIKey' },
    })
    const aipg = errorAnswer('aipg', 401, json({ detail: 'Invalid API key' }), null)
    expect(aipg).toMatchObject({ kind: 'key-refused', action: 'stop', details: { said: 'Invalid API key' } })
    expect(isKeyRefusal(aipg)).toBe(true)
  })

  it('tells a key that cannot run a worker from a name owned by someone else', () => {
    const anonymous = errorAnswer(
      'horde',
      403,
      json({ message: 'Anonymous is not allowed to run a worker', rc: 'AnonForbiddenWorker' }),
      null,
    )
    expect(anonymous).toMatchObject({ kind: 'key-refused', action: 'stop' })
    expect(anonymous.message).toMatch(/^The anonymous key cannot run a worker; use your own API key\./)
    const name = errorAnswer('horde', 403, json({ message: 'Wrong credentials to submit as this worker.', rc: 'WrongCredentials' }), null)
    expect(name).toMatchObject({ kind: 'worker-refused', action: 'stop' })
    expect(name.message).toMatch(/belongs to another account/)
  })

  it('reads a 403 in the grid’s words as forbidden, and one in a proxy’s HTML as something to wait out', () => {
    const scope = errorAnswer('aipg', 403, json({ detail: 'API key lacks the inference.chat scope' }), null)
    expect(scope).toMatchObject({
      kind: 'forbidden',
      action: 'stop',
      message: 'The grid refused the request (403): API key lacks the inference.chat scope',
    })
    expect(isKeyRefusal(scope)).toBe(true)
    const cloudflare = errorAnswer('horde', 403, '<html><body>Attention Required! | Cloudflare</body></html>', null)
    expect(cloudflare).toMatchObject({ kind: 'garbage', action: 'backoff' })
    expect(isKeyRefusal(cloudflare)).toBe(false)
  })

  it('counts an unknown key on the Horde’s find_user (404) as the key’s fault', async () => {
    const error = await failureOf(
      findHordeUser({
        network: 'horde',
        gridUrl: '',
        apiKey: 'nobody',
        agent,
        fetch: answering(404, json({ message: 'User not found', rc: 'UserNotFound' })),
      }),
    )
    expect(error.kind).toBe('key-refused')
    expect(isKeyRefusal(error)).toBe(true)
  })
})

describe('429 and the Retry-After header', () => {
  it('honours Retry-After in seconds and as an HTTP date', () => {
    expect(errorAnswer('horde', 429, json({ message: '60 per 1 second' }), '3')).toMatchObject({
      kind: 'rate-limited',
      action: 'backoff',
      details: { retryAfterMs: 3000 },
    })
    const now = Date.parse('2026-12-01T10:00:00Z')
    expect(errorAnswer('aipg', 429, '', 'Tue, 01 Dec 2026 10:00:07 GMT', now).details.retryAfterMs).toBe(7000)
    expect(errorAnswer('aipg', 429, '', 'Tue, 01 Dec 2026 09:59:00 GMT', now).details.retryAfterMs).toBe(0)
  })

  it('leaves the wait to the caller’s backoff when the grid names none', () => {
    const error = errorAnswer(
      'aipg',
      429,
      json({ error: { message: 'Rate limit exceeded. Please slow down.', type: 'rate_limit_error' } }),
      null,
    )
    expect(error).toMatchObject({ kind: 'rate-limited', details: { said: 'Rate limit exceeded. Please slow down.' } })
    expect(error.details.retryAfterMs).toBeUndefined()
  })

  it('waits at least a minute on the Horde’s IP timeouts and maintenance', () => {
    for (const [rc, kind] of [
      ['TooManyNewIPs', 'rate-limited'],
      ['TimeoutIP', 'rate-limited'],
      ['MaintenanceMode', 'maintenance'],
    ] as const) {
      const error = errorAnswer('horde', 403, json({ message: 'later', rc }), null)
      expect(error, rc).toMatchObject({ kind, action: 'backoff' })
      expect(error.details.retryAfterMs, rc).toBeGreaterThanOrEqual(60_000)
    }
    expect(errorAnswer('horde', 403, json({ message: 'later', rc: 'TimeoutIP' }), '600').details.retryAfterMs).toBe(600_000)
    expect(errorAnswer('horde', 403, json({ message: 'Too many aborted jobs', rc: 'WorkerMaintenance' }), null)).toMatchObject({
      kind: 'maintenance',
      action: 'stop',
    })
  })

  it('reaches the caller through a real request with its header', async () => {
    const error = await failureOf(
      getGridJson(
        {
          network: 'horde',
          gridUrl: '',
          apiKey: 'k',
          agent,
          fetch: answering(429, json({ message: '2 per 1 second' }), { 'Retry-After': '2' }),
        },
        '/find_user',
      ),
    )
    expect(error).toMatchObject({ kind: 'rate-limited', details: { status: 429, retryAfterMs: 2000 } })
  })
})

describe('500 and 503', () => {
  it('waits out server errors, JSON or a proxy page', () => {
    expect(errorAnswer('horde', 500, json({ message: 'Internal Server Error' }), null)).toMatchObject({
      kind: 'server-error',
      action: 'backoff',
      message: 'The grid answered 500: Internal Server Error',
    })
    expect(errorAnswer('aipg', 502, '<html><h1>502 Bad Gateway</h1></html>', null)).toMatchObject({
      kind: 'server-error',
      action: 'backoff',
      message: 'The grid answered 502: HTTP 502',
    })
    expect(errorAnswer('aipg', 503, json({ detail: 'Service Unavailable' }), null).kind).toBe('server-error')
  })

  it('tells "no worker serves this model" from a failing grid', () => {
    expect(errorAnswer('aipg', 503, json({ detail: 'No available workers for model grid/x' }), null)).toMatchObject({
      kind: 'no-workers',
      action: 'backoff',
    })
  })

  it('stops on 410: the Horde protocol is retired there', () => {
    expect(errorAnswer('horde', 410, '<html>Gone</html>', null)).toMatchObject({
      kind: 'retired',
      action: 'stop',
      message: 'This grid no longer speaks the Horde protocol (410 Gone); use --network aipg.',
    })
  })
})

describe('other refusals', () => {
  it('reads the Horde’s validation errors field by field', () => {
    const error = errorAnswer(
      'horde',
      400,
      json({ errors: { apikey: 'Missing required parameter' }, message: 'Input payload validation failed' }),
      null,
    )
    expect(error).toMatchObject({ kind: 'client-error', action: 'stop' })
    expect(error.message).toBe('The grid refused the request (400): Input payload validation failed apikey: Missing required parameter')
  })

  it('reads FastAPI’s list of validation problems', () => {
    expect(readErrorBody(json({ detail: [{ loc: ['body', 'model'], msg: 'field required' }] })).said).toBe(
      '[{"loc":["body","model"],"msg":"field required"}]',
    )
  })

  it('drops jobs the grid no longer wants, and names credit and size problems', () => {
    for (const [status, rc] of [
      [404, 'InvalidJobID'],
      [400, 'DuplicateGen'],
      [400, 'AbortedGen'],
    ] as const) {
      expect(errorAnswer('horde', status, json({ message: 'x', rc }), null), rc).toMatchObject({ kind: 'job-gone', action: 'drop' })
    }
    expect(errorAnswer('horde', 403, json({ message: 'kudos needed', rc: 'KudosUpfront' }), null).kind).toBe('out-of-credit')
    expect(errorAnswer('aipg', 402, json({ detail: 'Payment required' }), null).kind).toBe('out-of-credit')
    expect(errorAnswer('aipg', 413, '', null).kind).toBe('too-large')
  })

  it('keeps the grid’s words to one short line', () => {
    const said = readErrorBody(json({ message: `a\n\n${'b'.repeat(400)}` })).said ?? ''
    expect(said.startsWith('a b')).toBe(true)
    expect(said).toHaveLength(300)
    expect(said.endsWith('…')).toBe(true)
  })
})

describe('garbage answers and network errors', () => {
  it('waits out a 2xx that is not JSON', async () => {
    const error = await failureOf(
      getGridJson(
        { network: 'aipg', gridUrl: '', apiKey: 'k', agent, fetch: answering(200, '<html>captive portal</html>') },
        '/account/workers',
      ),
    )
    expect(error).toMatchObject({ kind: 'garbage', action: 'backoff', message: 'The grid sent an unreadable answer (HTTP 200).' })
    expect(readErrorBody('{"message":')).toEqual({ said: null, rc: null })
    expect(readErrorBody('[1,2]')).toEqual({ said: null, rc: null })
  })

  it('calls a grid that does not answer unreachable, for a closed port on this PC', async () => {
    const port = await freePort()
    const error = await failureOf(getGridJson({ network: 'horde', gridUrl: `http://127.0.0.1:${port}`, apiKey: 'k', agent }, '/find_user'))
    expect(error).toMatchObject({ kind: 'unreachable', action: 'backoff' })
    expect(error.message).toMatch(/^127\.0\.0\.1:\d+ refused the connection; the server is down or the address is wrong\.$/)
    expect(isKeyRefusal(error)).toBe(false)
  })

  it('says a refused WebSocket in words, without the errno code', async () => {
    const port = await freePort()
    const error = await failureOf(AipgConnection.open(`ws://127.0.0.1:${port}/worker`, registration, undefined))
    expect(error).toMatchObject({ kind: 'unreachable', action: 'backoff' })
    expect(error.message).toMatch(/^127\.0\.0\.1:\d+ refused the connection/)
    expect(error.message).not.toMatch(/E[A-Z]{4,}/)
  })

  it('waits out failures nobody classified', () => {
    expect(asGridError(new TypeError('boom'))).toMatchObject({ kind: 'unexpected', action: 'backoff', message: 'boom' })
    const offline = Object.assign(new Error('getaddrinfo ENOTFOUND grid.example'), { code: 'ENOTFOUND' })
    expect(asGridError(offline)).toMatchObject({ kind: 'unreachable', message: 'Cannot reach the grid: this PC seems to be offline.' })
    const known = new GridError('key-refused', 'x')
    expect(asGridError(known)).toBe(known)
  })
})

describe('the AIPG worker socket', () => {
  it('stops on 4001 and 4003 and reconnects after 1012 and other closes', () => {
    expect(classifyClose(4001, '', 'Invalid API key')).toMatchObject({ kind: 'key-refused', action: 'stop' })
    const scope = classifyClose(4003, '', 'API key lacks worker.connect scope')
    expect(scope).toMatchObject({ kind: 'worker-refused', action: 'stop' })
    expect(scope.message).toMatch(/worker\.connect scope \(console\.aipowergrid\.io\)/)
    expect(classifyClose(4003, 'Worker name owned by another account', null).message).toMatch(/choose another worker name/)
    expect(classifyClose(1012, 'replaced', null)).toMatchObject({ kind: 'server-error', action: 'reconnect' })
    expect(classifyClose(1006, '', null)).toMatchObject({ kind: 'unreachable', action: 'reconnect', message: 'Connection closed (1006).' })
  })

  it('turns a close before ready into the registration’s failure', () => {
    expect(closeError(classifyClose(4001, '', 'bad key'))).toMatchObject({
      kind: 'key-refused',
      action: 'stop',
      details: { status: 4001, said: 'bad key' },
    })
    expect(closeError(classifyClose(1012, '', null)).action).toBe('backoff')
    expect(upgradeRefused(410)).toMatchObject({ kind: 'retired', action: 'stop' })
    expect(upgradeRefused(502)).toMatchObject({
      kind: 'server-error',
      action: 'backoff',
      message: 'The grid refused the WebSocket (HTTP 502).',
    })
  })
})

describe('the same classification, worded for chat', () => {
  it('says what the person chatting can do', () => {
    const say = (network: 'aipg' | 'horde', status: number, body: unknown, model: string | null = 'grid/x') =>
      chatError(network, errorAnswer(network, status, json(body), null), model)
    expect(say('horde', 401, { message: 'bad', rc: 'InvalidAPIKey' })).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/^The AI Horde did not accept your API key/),
    })
    expect(say('aipg', 429, { detail: 'Too many concurrent requests (limit 24)' })).toMatchObject({
      code: 'BUSY',
      message: expect.stringMatching(/^The AIPG grid is limiting how often you can ask/),
    })
    expect(say('aipg', 503, { detail: 'No available workers' }).message).toBe(
      'No AIPG grid worker is serving grid/x right now; pick another model or try again later.',
    )
    expect(say('aipg', 503, { detail: 'No available workers' }, null)).toMatchObject({
      code: 'INTERNAL',
      message: 'The AIPG grid is not answering properly (HTTP 503); try again in a minute.',
    })
    expect(say('aipg', 403, { detail: 'API key lacks the inference.chat scope' }).message).toBe(
      'The AIPG grid refused the request: API key lacks the inference.chat scope',
    )
    expect(say('horde', 400, { message: 'The horde is in maintenance', rc: 'MaintenanceMode' }).message).toBe(
      'The AI Horde is in maintenance; try again later.',
    )
    expect(say('aipg', 402, { detail: 'Payment required' }).message).toMatch(/^Your AIPG account has no credit left for chat/)
  })
})
