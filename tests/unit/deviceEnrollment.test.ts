import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { privateKeyToAccount } from 'viem/accounts'
import { afterEach, describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/grid/identity/canonicalJson.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import { WorkerIdentityService } from '../../src/main/identity/workerIdentityService.js'
import { WALLET_KEY, WORKER_KEY } from '../support/identityVectors.js'

const wallet = privateKeyToAccount(WALLET_KEY)
const otherKey = privateKeyToAccount(WORKER_KEY)
const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const START = Date.UTC(2026, 11, 1, 12, 0)

/**
 * A grid in a fetch function: it answers create, then `pending` until `approve()` makes a certificate (for whatever
 * signer `certificateFor` names), then ack. The clock is the test's; waits only record and advance it.
 */
function setup(options: { certificateFor?: (signer: string) => string; saveApiKey?: () => Promise<void> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-enroll-unit-'))
  dirs.push(dir)
  const clock = { ms: START }
  const calls: string[] = []
  const grid = { status: 'pending', certificate: null as unknown, signer: '', name: '' }
  const fetcher = (async (url: string, init: RequestInit) => {
    const path = new URL(url).pathname
    calls.push(path)
    const body = JSON.parse(String(init.body)) as Record<string, unknown>
    const json = (value: unknown) => new Response(JSON.stringify(value), { status: 200 })
    if (path === '/v1/workers/enrollments') {
      grid.signer = String(body.worker_signer)
      grid.name = String(body.worker_name)
      return json({
        enrollment_id: 'e'.repeat(32),
        authorize_url: `https://console.example/enroll/${'e'.repeat(32)}`,
        expires_at: START / 1000 + 900,
        poll_after_seconds: 3,
      })
    }
    if (path.endsWith('/poll')) return json({ status: grid.status, ...(grid.certificate ? { certificate: grid.certificate } : {}) })
    if (path.endsWith('/ack')) return json({ status: 'activated' })
    return new Response('{"detail":"Not Found"}', { status: 404 })
  }) as typeof fetch
  const approve = async () => {
    const issued = Math.floor(clock.ms / 1000)
    const payload = {
      version: 1,
      chain_id: 8453,
      audience: 'api.aipowergrid.io',
      delegation_id: 'd'.repeat(32),
      payout_wallet: wallet.address.toLowerCase(),
      worker_signer: options.certificateFor?.(grid.signer) ?? grid.signer,
      worker_name: grid.name,
      issued_at: issued,
      expires_at: issued + 90 * 86_400,
    }
    grid.certificate = { payload, signature: await wallet.signMessage({ message: `aipg-worker-delegation:v1:${canonicalJson(payload)}` }) }
    grid.status = 'complete'
  }
  const waits: number[] = []
  const saved: string[] = []
  const make = () =>
    new WorkerIdentityService({
      secrets: new FileSecretStore(join(dir, 'secrets')),
      now: () => clock.ms,
      gridUrl: () => 'https://api.example',
      fetch: fetcher,
      saveApiKey: options.saveApiKey ?? (async (apiKey) => void saved.push(apiKey)),
      sleep: async (ms) => {
        waits.push(ms)
        clock.ms += ms
        await Promise.resolve()
      },
    })
  return { dir, clock, calls, grid, approve, waits, saved, make }
}

describe('device enrollment, client side', () => {
  it("polls at the grid's pace and refuses a certificate that names another worker key", async () => {
    const t = setup({ certificateFor: () => otherKey.address.toLowerCase() })
    const service = t.make()
    await service.enroll({ workerName: 'rig' })
    await t.approve()
    await service.enrollmentSettled()
    expect(t.waits.length).toBeGreaterThan(0)
    expect(t.waits.every((ms) => ms === 3000)).toBe(true)
    expect(service.status()).toMatchObject({
      state: 'none',
      delegation: null,
      enrollment: {
        state: 'failed',
        message: `The grid's certificate was not installed: The delegation is for worker key ${otherKey.address.toLowerCase()}, not this worker's key ${service.address()}.`,
      },
    })
    expect(t.calls.some((path) => path.endsWith('/ack'))).toBe(false)
    expect(t.saved).toEqual([])
  })

  it('ends as expired on its own clock once the link lapses, without asking the grid again', async () => {
    const t = setup()
    const service = t.make()
    await service.enroll({ workerName: 'rig' })
    await service.enrollmentSettled()
    expect(t.clock.ms).toBeGreaterThanOrEqual(START + 900_000)
    expect(service.status().enrollment).toMatchObject({ state: 'expired' })
    expect(t.calls.filter((path) => path.endsWith('/poll')).length).toBe(300)
  })

  it('keeps an approved enrollment when the key cannot be saved, and hands the key over at the next start', async () => {
    let failing = true
    const t = setup({
      saveApiKey: async () => {
        if (failing) throw new Error('Stop earning before changing the API key.')
      },
    })
    const first = t.make()
    await first.enroll({ workerName: 'rig' })
    await t.approve()
    await first.enrollmentSettled()
    expect(first.status()).toMatchObject({
      state: 'installed',
      enrollment: {
        state: 'failed',
        message:
          "The delegation is installed, but the grid's API key for this rig was not saved: Stop earning before changing the API key. GridForge tries again at the next start.",
      },
    })
    expect(readdirSync(join(t.dir, 'secrets'))).toContain('aipg-worker-enrollment.secret')
    failing = false
    const second = t.make()
    second.resumeEnrollment()
    await second.enrollmentSettled()
    expect(second.status().enrollment).toMatchObject({ state: 'done' })
    expect(readdirSync(join(t.dir, 'secrets'))).not.toContain('aipg-worker-enrollment.secret')
    expect(t.calls.filter((path) => path.endsWith('/ack'))).toHaveLength(1)
  })
})

describe('the approval link the grid sends', () => {
  it('is taken only as a web page (https, or http on this PC); anything else ends the enrollment with one sentence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridforge-enroll-link-'))
    dirs.push(dir)
    for (const authorize_url of ['javascript:alert(1)', 'file:///etc/passwd', 'http://evil.example/enroll']) {
      const fetcher = (async () =>
        new Response(JSON.stringify({ enrollment_id: 'e'.repeat(32), authorize_url, expires_at: START / 1000 + 900 }), {
          status: 200,
        })) as unknown as typeof fetch
      const service = new WorkerIdentityService({ secrets: new FileSecretStore(join(dir, 'secrets')), gridUrl: () => '', fetch: fetcher })
      expect(await service.enroll({ workerName: 'rig' })).toMatchObject({
        state: 'failed',
        authorizeUrl: null,
        message: 'The grid answered the enrollment with something that is not an enrollment.',
      })
    }
  })
})
