import { describe, expect, it } from 'vitest'
import { createBackoff } from '../../src/worker/backoff.js'
import { errorAnswer } from '../../src/grid/errorAnswer.js'
import { aipgWorkerSocketUrl } from '../../src/grid/gridUrls.js'

const hordeError = (status: number, body: string, retryAfter: string | null) => errorAnswer('horde', status, body, retryAfter)

describe('Horde error classification (all four shapes)', () => {
  it('stops on configuration rcs with a sentence the user can act on', () => {
    const error = hordeError(403, JSON.stringify({ message: 'Wrong credentials to submit as this worker.', rc: 'WrongCredentials' }), null)
    expect(error.action).toBe('stop')
    expect(error.message).toMatch(/belongs to another account/)
    expect(hordeError(401, '{"message":"Invalid API Key","rc":"InvalidAPIKey"}', null).action).toBe('stop')
  })

  it('backs off at least a minute on TooManyNewIPs, TimeoutIP and maintenance', () => {
    for (const rc of ['TooManyNewIPs', 'TimeoutIP', 'MaintenanceMode']) {
      const error = hordeError(403, JSON.stringify({ message: 'later', rc }), null)
      expect(error.action).toBe('backoff')
      expect(error.details.retryAfterMs).toBeGreaterThanOrEqual(60_000)
    }
  })

  it('drops jobs the grid no longer wants', () => {
    for (const [status, rc] of [
      [404, 'InvalidJobID'],
      [400, 'DuplicateGen'],
      [400, 'AbortedGen'],
    ] as const) {
      expect(hordeError(status, JSON.stringify({ message: 'x', rc }), null).action).toBe('drop')
    }
  })

  it('reads validation errors (shape 2) as a refused request', () => {
    const error = hordeError(
      400,
      JSON.stringify({ errors: { apikey: 'Missing required parameter' }, message: 'Input payload validation failed' }),
      null,
    )
    expect(error.action).toBe('stop')
    expect(error.message).toContain('apikey: Missing required parameter')
  })

  it('honours Retry-After on 429 (shape 3)', () => {
    const error = hordeError(429, '{"message": "60 per 1 second"}', '3')
    expect(error).toMatchObject({ action: 'backoff', details: { retryAfterMs: 3000 } })
  })

  it('backs off on 5xx and on non-JSON bodies such as proxy error pages (shape 4)', () => {
    expect(hordeError(500, '{"message": "Internal Server Error"}', null).action).toBe('backoff')
    expect(hordeError(502, '<html><body>Bad gateway</body></html>', null).action).toBe('backoff')
    expect(hordeError(403, '<html>Cloudflare</html>', null).action).toBe('backoff')
  })
})

describe('backoff', () => {
  it('doubles from 1 s to at most 30 s, never below the floor, and resets after a success', () => {
    const backoff = createBackoff({ random: () => 0.5 })
    const delays = Array.from({ length: 8 }, () => backoff.next())
    expect(delays[0]).toBeGreaterThanOrEqual(1000)
    expect(delays.slice(0, 5).map((d) => Math.round(d / 1100))).toEqual([1, 2, 4, 8, 16])
    expect(Math.max(...delays)).toBeLessThanOrEqual(36_000)
    backoff.reset()
    expect(backoff.next()).toBeLessThan(1300)
  })
})

describe('AIPG worker socket URL', () => {
  it('derives the ws. host from the api. host, as the reference worker does', () => {
    expect(aipgWorkerSocketUrl('https://api.aipowergrid.io')).toBe('wss://ws.aipowergrid.io/v1/workers/ws')
    expect(aipgWorkerSocketUrl('https://api.aipowergrid.io/api/')).toBe('wss://ws.aipowergrid.io/v1/workers/ws')
    expect(aipgWorkerSocketUrl('http://127.0.0.1:7860')).toBe('ws://127.0.0.1:7860/v1/workers/ws')
  })
})
