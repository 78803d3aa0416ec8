import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MemoryNonceRegistry, verifyRegistration } from '../../src/grid/identity/registrationVerifier.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import { WorkerIdentityService } from '../../src/main/identity/workerIdentityService.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'

const wallet = privateKeyToAccount(generatePrivateKey())
const stranger = privateKeyToAccount(generatePrivateKey())
let grid: DevGrid
const dirs: string[] = []

beforeAll(async () => {
  grid = await startDevGrid({
    mode: 'aipg',
    workerEnrollment: true,
    keys: { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect', 'account.manage'], payoutWallet: wallet.address } },
  })
})
afterAll(() => grid.close())
afterEach(() => {
  grid.faults.down = false
  grid.aipg.enrollment.enabled = true
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A rig: the identity service over real 0600 files, polling the dev grid with waits that take no time but are recorded. */
function rig(dir = mkdtempSync(join(tmpdir(), 'gridforge-enroll-'))) {
  if (!dirs.includes(dir)) dirs.push(dir)
  const saved: Array<{ apiKey: string; gridUrl: string }> = []
  const waits: number[] = []
  const service = new WorkerIdentityService({
    secrets: new FileSecretStore(join(dir, 'secrets')),
    gridUrl: () => grid.url,
    saveApiKey: async (apiKey, gridUrl) => void saved.push({ apiKey, gridUrl }),
    sleep: (ms) => {
      waits.push(ms)
      return new Promise((resolve) => setTimeout(resolve, 2))
    },
  })
  return { dir, service, saved, waits }
}

const idOf = (url: string | null) => url!.split('/').at(-1)!

describe('device enrollment against the dev grid (§16.2)', () => {
  it('approved in the console: the certificate is verified and installed, the key activated and saved, and registrations verify', async () => {
    const { service, saved, waits, dir } = rig()
    const started = await service.enroll({ workerName: 'enrolled-rig', validDays: 30 })
    expect(started).toMatchObject({
      state: 'waiting',
      workerName: 'enrolled-rig',
      authorizeUrl: expect.stringContaining('/console/workers/enroll/'),
    })
    const id = idOf(started.authorizeUrl)
    const record = grid.aipg.enrollment.records.get(id)!
    expect(record).toMatchObject({
      workerSigner: service.address(),
      workerName: 'enrolled-rig',
      profileId: 'gridforge-text',
      validDays: 30,
    })
    // The console page at the link answers.
    expect((await fetch(started.authorizeUrl!)).status).toBe(200)
    await grid.waitFor(() => waits.length >= 2, 5000, 'polls while waiting')
    expect(service.status()).toMatchObject({ state: 'none', enrollment: { state: 'waiting' } })

    expect((await grid.approveEnrollment(id, (message) => wallet.signMessage({ message }))).status).toBe(200)
    await service.enrollmentSettled()
    expect(waits.every((ms) => ms === 2000)).toBe(true)
    const status = service.status()
    expect(status).toMatchObject({
      state: 'installed',
      delegation: { payoutWallet: wallet.address.toLowerCase(), workerName: 'enrolled-rig' },
      enrollment: { state: 'done', authorizeUrl: null },
    })
    expect(status.delegation!.expiresAt - status.delegation!.issuedAt).toBe(30 * 86_400)
    expect(record.status).toBe('activated')
    expect(saved).toEqual([{ apiKey: record.apiKey, gridUrl: grid.url }])
    expect(saved[0]!.apiKey).toMatch(/^grid_[A-Za-z0-9_-]{32}$/)
    // The poll token and the key were kept only while the enrollment was open, and never in the status.
    expect(readdirSync(join(dir, 'secrets')).sort()).toEqual(['aipg-worker-delegation.secret', 'aipg-worker-key.secret'])
    expect(JSON.stringify(status)).not.toContain(record.apiKey)

    // The new key is the account's, and the installed identity passes core's registration check.
    const frame = {
      name: 'enrolled-rig',
      models: ['gpt-oss-20b'],
      job_types: ['text'],
      bridge_agent: 'GridForge:0.1.0:https://aipowergrid.io',
    }
    const proof = service.workerIdentityFor(frame)
    const verified = verifyRegistration({
      proof,
      payoutWallet: grid.aipg.enrollment.records.get(id)!.payload!.payout_wallet,
      workerName: frame.name,
      models: frame.models,
      jobTypes: frame.job_types,
      bridgeAgent: frame.bridge_agent,
      required: true,
      now: Math.floor(Date.now() / 1000),
      nonces: new MemoryNonceRegistry(),
    })
    expect(verified?.signerAddress).toBe(service.address())
    const account = await fetch(`${grid.url}/v1/account`, { headers: { apikey: record.apiKey } })
    expect(await account.json()).toMatchObject({ username: 'alice#1', payout_wallet: wallet.address.toLowerCase() })
  })

  it('a restart mid-enrollment resumes the same enrollment, and it completes', async () => {
    const first = rig()
    const started = await first.service.enroll({ workerName: 'restart-rig' })
    await grid.waitFor(() => first.waits.length >= 1, 5000, 'a poll')
    await first.service.close()
    const pendingFile = readFileSync(join(first.dir, 'secrets', 'aipg-worker-enrollment.secret'), 'utf8')
    expect(pendingFile).toContain(idOf(started.authorizeUrl))

    const second = rig(first.dir)
    expect(second.service.status().enrollment).toMatchObject({ state: 'waiting', authorizeUrl: started.authorizeUrl })
    second.service.resumeEnrollment()
    await grid.approveEnrollment(idOf(started.authorizeUrl), (message) => wallet.signMessage({ message }))
    await second.service.enrollmentSettled()
    expect(second.service.status()).toMatchObject({ state: 'installed', enrollment: { state: 'done' } })
    expect(first.saved).toEqual([])
    expect(second.saved).toHaveLength(1)
    expect(grid.aipg.enrollment.records.size).toBeGreaterThan(0)
  })

  it('denied, expired, the grid down in the middle, and enrollment off: one sentence each, nothing installed until approved', async () => {
    const denied = rig()
    const a = await denied.service.enroll({ workerName: 'denied-rig' })
    grid.denyEnrollment(idOf(a.authorizeUrl))
    await denied.service.enrollmentSettled()
    expect(denied.service.status()).toMatchObject({
      state: 'none',
      enrollment: {
        state: 'denied',
        message: 'The enrollment was denied in the console, so nothing was installed; start again, or sign the delegation by hand.',
      },
    })
    expect(denied.saved).toEqual([])

    const expired = rig()
    const b = await expired.service.enroll({ workerName: 'expired-rig' })
    grid.aipg.enrollment.records.get(idOf(b.authorizeUrl))!.expiresAt = Math.floor(Date.now() / 1000) - 1
    await expired.service.enrollmentSettled()
    expect(expired.service.status()).toMatchObject({
      state: 'none',
      enrollment: {
        state: 'expired',
        message: 'The approval link expired before the rig was approved, so nothing was installed; start again.',
      },
    })

    const flaky = rig()
    const c = await flaky.service.enroll({ workerName: 'flaky-rig' })
    grid.faults.down = true
    await grid.waitFor(() => flaky.service.status().enrollment?.state === 'retrying', 5000, 'retrying')
    expect(flaky.service.status().enrollment!.message).toMatch(
      /^The grid could not answer \(HTTP 503\)\. Still waiting for the approval until \d\d:\d\d UTC; GridForge keeps asking\.$/,
    )
    // It backs off while the grid is down rather than hammering it.
    await grid.waitFor(() => flaky.waits.some((ms) => ms >= 8000), 5000, 'backoff')
    grid.faults.down = false
    await grid.approveEnrollment(idOf(c.authorizeUrl), (message) => wallet.signMessage({ message }))
    await flaky.service.enrollmentSettled()
    expect(flaky.service.status()).toMatchObject({ state: 'installed', enrollment: { state: 'done' } })

    // A console signature by another wallet is refused by the grid; the rig keeps waiting and installs nothing.
    const wrong = rig()
    const d = await wrong.service.enroll({ workerName: 'wrong-rig' })
    const refused = await grid.approveEnrollment(idOf(d.authorizeUrl), (message) => stranger.signMessage({ message }))
    expect(refused).toMatchObject({ status: 401, body: { detail: 'delegation was not signed by the payout wallet' } })
    await grid.waitFor(() => wrong.waits.length >= 2, 5000, 'polls')
    expect(wrong.service.status()).toMatchObject({ state: 'none', enrollment: { state: 'waiting' } })
    await wrong.service.cancelEnrollment()
    expect(wrong.service.status().enrollment).toBeNull()

    grid.aipg.enrollment.enabled = false
    const off = rig()
    expect(await off.service.enroll({ workerName: 'off-rig' })).toMatchObject({
      state: 'off',
      message:
        'This grid does not offer one-click enrollment (it answered "Native worker enrollment is not enabled."); sign the delegation by hand instead.',
    })
    expect(readdirSync(join(off.dir, 'secrets'))).toEqual(['aipg-worker-key.secret'])
  })
})
