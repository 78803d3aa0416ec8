import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { privateKeyToAccount } from 'viem/accounts'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyRegistration, MemoryNonceRegistry } from '../../src/grid/identity/registrationVerifier.js'
import { verifyJobSignature } from '../../src/grid/identity/resultSignature.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import type { IdentityStatus } from '../../src/main/identity/identityStatus.js'
import { WorkerIdentityService } from '../../src/main/identity/workerIdentityService.js'
import { WALLET_KEY, WORKER_KEY } from '../support/identityVectors.js'

const DAY_MS = 86_400_000
const userWallet = privateKeyToAccount(WALLET_KEY)
const otherWallet = privateKeyToAccount(WORKER_KEY)
const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A service over real 0600 files in a fresh folder, with a clock the test moves. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-identity-'))
  dirs.push(dir)
  const clock = { ms: Date.UTC(2026, 11, 1) }
  const logs: string[] = []
  const make = () =>
    new WorkerIdentityService({ secrets: new FileSecretStore(join(dir, 'secrets')), now: () => clock.ms, log: (line) => logs.push(line) })
  return { dir, clock, logs, make, service: make() }
}

const frame = (name: string) => ({
  name,
  models: ['gpt-oss-20b'],
  job_types: ['text'],
  bridge_agent: 'GridForge:0.1.0:https://aipowergrid.io',
})

describe('worker identity service', () => {
  it('creates the key once, keeps it in a 0600 secret, and never shows it in status or events', () => {
    const { dir, make, service } = setup()
    const events: IdentityStatus[] = []
    service.events.subscribe((_name, status) => events.push(status))
    const address = service.address()
    expect(address).toMatch(/^0x[0-9a-f]{40}$/)
    expect(make().address()).toBe(address)
    const files = readdirSync(join(dir, 'secrets'))
    expect(files).toEqual(['aipg-worker-key.secret'])
    const keyFile = join(dir, 'secrets', files[0]!)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    const key = readFileSync(keyFile, 'utf8')
    expect(privateKeyToAccount(`0x${key}`).address.toLowerCase()).toBe(address)
    service.requestDelegation({ payoutWallet: userWallet.address, workerName: 'rig' })
    expect(events).toHaveLength(1)
    expect(JSON.stringify([service.status(), events])).not.toContain(key)
  })

  it('installs a signature from the payout wallet, then signs registrations and results that core accepts', async () => {
    const { clock, make, service } = setup()
    expect(service.status().state).toBe('none')
    expect(service.workerIdentityFor(frame('rig'))).toBeNull()
    expect(service.signResult('job-1', 'text')).toBeNull()
    const request = service.requestDelegation({ payoutWallet: userWallet.address, workerName: 'rig', validDays: 30 })
    expect(service.status().pending).toEqual({
      payoutWallet: userWallet.address.toLowerCase(),
      workerName: 'rig',
      expiresAt: request.payload.expires_at,
    })
    const status = make().install(await userWallet.signMessage({ message: request.message }))
    expect(status).toMatchObject({
      state: 'installed',
      pending: null,
      problem: null,
      delegation: { payoutWallet: userWallet.address.toLowerCase(), workerName: 'rig' },
    })

    const restarted = make()
    expect(restarted.status().state).toBe('installed')
    const proof = restarted.workerIdentityFor(frame('rig'))
    const now = Math.floor(clock.ms / 1000)
    const verified = verifyRegistration({
      proof,
      payoutWallet: userWallet.address,
      workerName: 'rig',
      models: ['gpt-oss-20b'],
      jobTypes: ['text'],
      bridgeAgent: frame('rig').bridge_agent,
      required: true,
      now,
      nonces: new MemoryNonceRegistry(),
    })
    expect(verified?.signerAddress).toBe(restarted.address())
    expect(restarted.workerIdentityFor(frame('rig'))?.payload.nonce).not.toBe(proof?.payload.nonce)
    expect(restarted.workerIdentityFor(frame('rig-2'))).toBeNull()
    const sig = restarted.signResult('job-1', 'Hello, world.')
    expect(verifyJobSignature('job-1', 'Hello, world.', sig, [verified!.signerAddress])).toBe(true)
    expect(restarted.signResult('job-2', '')).toBeNull()
  })

  it('refuses a signature by another wallet or a cut-off one with a sentence, and keeps the request for a retry', async () => {
    const { service } = setup()
    const request = service.requestDelegation({ payoutWallet: userWallet.address, workerName: 'rig' })
    const wrong = await otherWallet.signMessage({ message: request.message })
    expect(() => service.install(wrong)).toThrow(
      `The signature was made by ${otherWallet.address.toLowerCase()}, not by the payout wallet ${userWallet.address.toLowerCase()}`,
    )
    const right = await userWallet.signMessage({ message: request.message })
    expect(() => service.install(right.slice(0, 80))).toThrow('it looks cut off')
    expect(() => service.install(right, otherWallet.address)).toThrow(`but the account pays ${otherWallet.address.toLowerCase()}`)
    expect(service.status().state).toBe('none')
    expect(service.install(right).state).toBe('installed')
    expect(() => service.install(right)).toThrow('There is no delegation request waiting for a signature')
  })

  it('refuses a payout wallet with a wrong checksum and a lifetime over 365 days', () => {
    const { service } = setup()
    const wrongCase = userWallet.address.replace('Fd6', 'fD6')
    expect(() => service.requestDelegation({ payoutWallet: wrongCase, workerName: 'rig' })).toThrow('has a wrong EIP-55 checksum')
    expect(() => service.requestDelegation({ payoutWallet: userWallet.address, workerName: 'rig', validDays: 400 })).toThrow(
      '1 to 365 whole days, not 400',
    )
    expect(service.status().pending).toBeNull()
  })

  it('offers renewal 14 days before expiry, stops signing once expired', async () => {
    const { clock, service } = setup()
    const request = service.requestDelegation({ payoutWallet: userWallet.address, workerName: 'rig', validDays: 30 })
    service.install(await userWallet.signMessage({ message: request.message }))
    clock.ms += 15 * DAY_MS
    expect(service.status().state).toBe('installed')
    clock.ms += 2 * DAY_MS
    expect(service.status().state).toBe('expiring')
    expect(service.signResult('job', 'text')).not.toBeNull()
    clock.ms += 14 * DAY_MS
    expect(service.status().state).toBe('expired')
    expect(service.workerIdentityFor(frame('rig'))).toBeNull()
    expect(service.signResult('job', 'text')).toBeNull()
  })

  it('will not install a request whose wallet signature comes after it expired (a clock far off)', async () => {
    const { clock, service } = setup()
    const request = service.requestDelegation({ payoutWallet: userWallet.address, workerName: 'rig', validDays: 1 })
    clock.ms += 2 * DAY_MS
    expect(() => service.install(`${'0x'}${'ab'.repeat(65)}`)).toThrow(/v = 171|not a valid/)
    const signature = await userWallet.signMessage({ message: request.message })
    expect(() => service.install(signature)).toThrow(/^The delegation expired on \d{4}-\d\d-\d\d; request a new one and sign it again\.$/)
  })

  it('sets aside a saved delegation that was edited on disk, saying why', async () => {
    const { dir, make, service } = setup()
    const request = service.requestDelegation({ payoutWallet: userWallet.address, workerName: 'rig' })
    service.install(await userWallet.signMessage({ message: request.message }))
    const file = join(dir, 'secrets', 'aipg-worker-delegation.secret')
    const saved = JSON.parse(readFileSync(file, 'utf8'))
    new FileSecretStore(join(dir, 'secrets')).set(
      'aipg-worker-delegation',
      JSON.stringify({ ...saved, payload: { ...saved.payload, worker_name: 'rig-2' } }),
    )
    const status = make().status()
    expect(status.state).toBe('none')
    expect(status.problem).toMatch(
      /^The saved delegation was set aside: The signature was made by 0x[0-9a-f]{40}, not by the payout wallet/,
    )
  })
})
