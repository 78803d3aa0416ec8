import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recoverMessageAddress } from 'viem'
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import WebSocket from 'ws'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generatePrivateKey as newWorkerKey, personalSign } from '../../src/grid/identity/personalSign.js'
import type { WorkerIdentityProof } from '../../src/grid/identity/registration.js'
import { jobMessage, resultHash } from '../../src/grid/identity/resultSignature.js'
import type { WorkerSigner } from '../../src/grid/identity/workerSigner.js'
import { WorkerIdentityService } from '../../src/main/identity/workerIdentityService.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import type { JobRecord } from '../../src/worker/ports.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { requireBuild } from '../support/paths.js'
import { FakeClock, generateResult, instantEngine } from '../support/workerFakes.js'
import { startWorker, workerFixture } from '../support/workerHarness.js'

/** The account's payout wallet, held by the user in their own wallet app: here a viem account. */
const wallet = privateKeyToAccount(generatePrivateKey())
const stranger = privateKeyToAccount(generatePrivateKey())
const KEY = 'dev-key-alice'
const story = { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 40, temperature: 0.8 }

let fixture: Awaited<ReturnType<typeof workerFixture>>
let grid: DevGrid | null = null
const dirs: string[] = []

beforeAll(async () => {
  requireBuild()
  fixture = await workerFixture()
})
afterAll(async () => {
  await fixture.close()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})
afterEach(async () => {
  await grid?.close()
  grid = null
})

/** Worker names the grid accepted (it said `ready`), in order. */
let joined: string[] = []

/** A grid whose account alice is paid to `wallet`, as set in the console. */
function aliceGrid() {
  joined = []
  return startDevGrid({
    mode: 'aipg',
    keys: { [KEY]: { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: wallet.address } },
    onEvent: (event) => {
      if (event.type === 'worker' && (event.change === 'joined' || event.change === 'replaced')) joined.push(event.name)
    },
  })
}

/** A rig's identity with a delegation for `workerName`, signed in the user's wallet app by `signer`. */
async function installedIdentity(workerName: string, signer: PrivateKeyAccount = wallet, now?: () => number) {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-identity-wire-'))
  dirs.push(dir)
  const identity = new WorkerIdentityService({ secrets: new FileSecretStore(dir), now })
  const request = identity.requestDelegation({ payoutWallet: signer.address, workerName, validDays: 30 })
  identity.install(await signer.signMessage({ message: request.message }))
  return identity
}

/** Python's `json.dumps(sort_keys=True, separators=(",", ":"))` for flat ASCII payloads, written independently of the app's. */
const sortedJson = (value: Record<string, unknown>) => JSON.stringify(value, Object.keys(value).sort())

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

async function accountJobs(g: DevGrid) {
  const response = await fetch(`${g.url}/v1/account/jobs`, { headers: { apikey: KEY } })
  return (await response.json()) as {
    payout_wallet: string
    jobs: Array<{ job_id: string; result_hash: string | null; signed: boolean; den: number }>
  }
}

describe('the worker identity on the AIPG wire (§16.1–16.2)', () => {
  it('registers with a fresh proof per attempt, signs each result, and the grid records it signed with its result hash', async () => {
    grid = await aliceGrid()
    const identity = await installedIdentity('signed-rig')
    const id = grid.enqueueAipg({ request: story })
    const clock = new FakeClock()
    const g = grid
    const { worker, exit } = startWorker(fixture, g, { network: 'aipg', name: 'signed-rig' }, { clock, signer: identity })
    await clock.runUntil(() => g.aipg.results.get(id)?.acked !== undefined, 15_000, 'the signed job to settle')
    g.dropAipgConnections()
    await clock.runUntil(() => joined.length === 2, 15_000, 'the reconnect to be accepted')
    worker.stop()
    await exit

    for (const registration of g.aipg.registrations) {
      const proof = registration.worker_identity as WorkerIdentityProof
      expect(proof.payload).toEqual({
        version: 1,
        timestamp: expect.any(Number),
        nonce: expect.stringMatching(/^[0-9a-f]{32}$/),
        worker_signer: identity.address(),
        worker_name: 'signed-rig',
        models: registration.models,
        job_types: registration.job_types,
        bridge_agent: registration.bridge_agent,
        profile_digest: null,
        profile_recipe_root: null,
      })
      expect(Math.abs(proof.payload.timestamp - Date.now() / 1000)).toBeLessThan(60)
      const signer = await recoverMessageAddress({
        message: `aipg-worker-registration:v1:${sortedJson(proof.payload)}`,
        signature: proof.signature,
      })
      expect(signer.toLowerCase()).toBe(identity.address())
      const delegator = await recoverMessageAddress({
        message: `aipg-worker-delegation:v1:${sortedJson(proof.delegation.payload)}`,
        signature: proof.delegation.signature,
      })
      expect(delegator).toBe(wallet.address)
    }
    const [first, second] = g.aipg.registrations.map((r) => (r.worker_identity as WorkerIdentityProof).payload.nonce)
    expect(first).not.toBe(second)

    const result = g.aipg.results.get(id)!
    const text = String(result.done!.full_text)
    expect(text.length).toBeGreaterThan(0)
    const signer = await recoverMessageAddress({
      message: `aipg-job:${id}:${sha256(text)}`,
      signature: result.done!.worker_sig as `0x${string}`,
    })
    expect(signer.toLowerCase()).toBe(identity.address())
    expect(result).toMatchObject({ signed: true, resultHash: sha256(text) })
    const jobs = await accountJobs(g)
    expect(jobs.payout_wallet).toBe(wallet.address.toLowerCase())
    expect(jobs.jobs).toEqual([expect.objectContaining({ job_id: id, result_hash: sha256(text), signed: true, den: result.acked })])
    expect(JSON.stringify(jobs)).not.toContain(text)
    expect(fixture.ledger.list(10).find((job) => job.jobId === id)).toMatchObject({ state: 'ok', reward: result.acked })
  })

  it('stops with one sentence the user can act on when the delegation was signed by another wallet than the payout wallet', async () => {
    grid = await aliceGrid()
    const identity = await installedIdentity('other-wallet-rig', stranger)
    const { exit } = startWorker(fixture, grid, { network: 'aipg', name: 'other-wallet-rig' }, { signer: identity })
    const ended = await exit
    expect(ended).toMatchObject({ reason: 'fatal' })
    expect(ended.message).toBe(
      "The grid refused this worker: delegation payout wallet does not match the authenticated account. The delegation was signed for another wallet than the account's payout wallet: request a new delegation for the payout wallet set at console.aipowergrid.io and sign it with that wallet.",
    )
    expect(joined).toEqual([])
    expect(grid.requests.filter((r) => r.method === 'WS')).toHaveLength(1)
  })

  it('refuses a replayed registration proof, from a raw socket and from a worker, with close 4003', async () => {
    grid = await aliceGrid()
    const identity = await installedIdentity('replay-rig')
    let captured: WorkerIdentityProof | null = null
    // A signer that hands out the first proof again: what an attacker who captured a registration frame would send.
    const replaying: WorkerSigner = {
      workerIdentityFor: (fields) => (captured ??= identity.workerIdentityFor(fields)),
      signResult: (jobId, text) => identity.signResult(jobId, text),
    }
    const g = grid
    const honest = startWorker(fixture, g, { network: 'aipg', name: 'replay-rig' }, { signer: replaying })
    await g.waitFor(() => joined.length === 1, 10_000, 'the first registration')
    honest.worker.stop()
    await honest.exit

    const raw = new WebSocket(g.wsUrl)
    const said: string[] = []
    raw.on('message', (data) => said.push(String(data)))
    raw.once('open', () => raw.send(JSON.stringify(g.aipg.registrations[0])))
    const code = await new Promise<number>((resolve) => raw.once('close', (closeCode) => resolve(closeCode)))
    expect(code).toBe(4003)
    expect(said.map((frame) => JSON.parse(frame))).toEqual([{ type: 'error', message: 'worker registration proof was already used' }])

    const replayed = startWorker(fixture, g, { network: 'aipg', name: 'replay-rig' }, { signer: replaying })
    expect(await replayed.exit).toMatchObject({
      reason: 'fatal',
      message: expect.stringMatching(/already used\. The grid saw this registration proof before/),
    })
  })

  it('refuses a rig whose clock is 10 minutes ahead, and says it is the clock', async () => {
    grid = await aliceGrid()
    const identity = await installedIdentity('clock-rig', wallet, () => Date.now() + 10 * 60_000)
    const { exit } = startWorker(fixture, grid, { network: 'aipg', name: 'clock-rig' }, { signer: identity })
    expect(await exit).toMatchObject({
      reason: 'fatal',
      message: expect.stringMatching(/issued in the future\. This computer's clock is more than 5 minutes off/),
    })
  })

  it('sends no signature for an answer without text (only a tool call): recorded unsigned, still paid', async () => {
    grid = await aliceGrid()
    const identity = await installedIdentity('tool-rig')
    const id = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'What time is it?' }], max_tokens: 32 } })
    const engine = instantEngine(({ onToolCall }) => {
      onToolCall?.({ index: 0, id: 'call_clock', name: 'clock', argumentsText: '{}' }, 1)
      return generateResult('', {
        toolCalls: [{ id: 'call_clock', name: 'clock', arguments: '{}' }],
        finishReason: 'tool-calls',
        completionTokens: 3,
      })
    })
    const ledger: JobRecord[] = []
    const { exit } = startWorker(
      fixture,
      grid,
      { network: 'aipg', name: 'tool-rig', maxJobs: 1 },
      { engine, ledger: { record: (job) => ledger.push(job) }, signer: identity },
    )
    expect(await exit).toMatchObject({ reason: 'max-jobs' })
    const result = grid.aipg.results.get(id)!
    expect(result.done).toMatchObject({ full_text: '', finish_reason: 'tool_calls' })
    expect(result.done).not.toHaveProperty('worker_sig')
    expect(result).toMatchObject({ signed: false, resultHash: null })
    expect(result.acked).toBeGreaterThan(0)
    expect((await accountJobs(grid)).jobs).toEqual([expect.objectContaining({ job_id: id, result_hash: null, signed: false })])
  })

  it('records a result unsigned, not refused, when its worker_sig is not by the delegated key', async () => {
    grid = await aliceGrid()
    const identity = await installedIdentity('forged-rig')
    const otherKey = newWorkerKey()
    const forging: WorkerSigner = {
      workerIdentityFor: (fields) => identity.workerIdentityFor(fields),
      signResult: (jobId, text) => personalSign(jobMessage(jobId, resultHash(text)!), otherKey),
    }
    const id = grid.enqueueAipg({ request: story })
    const { exit } = startWorker(fixture, grid, { network: 'aipg', name: 'forged-rig', maxJobs: 1 }, { signer: forging })
    expect(await exit).toMatchObject({ reason: 'max-jobs' })
    const result = grid.aipg.results.get(id)!
    expect(result.done).toHaveProperty('worker_sig')
    expect(result).toMatchObject({ signed: false, resultHash: sha256(String(result.done!.full_text)) })
    expect(result.acked).toBeGreaterThan(0)
  })

  it('mines exactly as before without an identity: no proof, no signature, unsigned and paid', async () => {
    grid = await aliceGrid()
    const id = grid.enqueueAipg({ request: story })
    const { exit } = startWorker(fixture, grid, { network: 'aipg', maxJobs: 1 })
    expect(await exit).toMatchObject({ reason: 'max-jobs' })
    expect(grid.aipg.registrations[0]).not.toHaveProperty('worker_identity')
    const result = grid.aipg.results.get(id)!
    expect(result.done).not.toHaveProperty('worker_sig')
    const text = String(result.done!.full_text)
    expect(result).toMatchObject({ signed: false, resultHash: sha256(text) })
    expect(result.acked).toBeGreaterThanOrEqual(0.1)
    expect((await accountJobs(grid)).jobs).toEqual([
      expect.objectContaining({ job_id: id, result_hash: sha256(text), signed: false, den: result.acked }),
    ])
    expect(fixture.ledger.list(10).find((job) => job.jobId === id)).toMatchObject({ state: 'ok', reward: result.acked })
  })

  it('is refused, with what to do, by a grid that requires a worker identity when the rig has none', async () => {
    grid = await startDevGrid({
      mode: 'aipg',
      requireWorkerIdentity: true,
      keys: { [KEY]: { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: wallet.address } },
    })
    const { exit } = startWorker(fixture, grid, { network: 'aipg', name: 'bare-rig' })
    expect(await exit).toMatchObject({
      reason: 'fatal',
      message: expect.stringMatching(
        /^The grid refused this worker: payout-wallet worker delegation is required\. This grid requires a worker identity/,
      ),
    })
  })

  it('signs only the slot whose name the delegation names when several slots run', async () => {
    grid = await aliceGrid()
    const identity = await installedIdentity('multi-1')
    const g = grid
    const { worker, exit } = startWorker(
      fixture,
      g,
      { network: 'aipg', name: 'multi', slots: 2 },
      { engine: instantEngine(), signer: identity },
    )
    await g.waitFor(() => joined.length === 2, 10_000, 'both slots to register')
    worker.stop()
    await exit
    const byName = Object.fromEntries(g.aipg.registrations.map((r) => [r.name, r.worker_identity ?? null]))
    expect(Object.keys(byName).sort()).toEqual(['multi-1', 'multi-2'])
    expect(byName['multi-1']).toMatchObject({ payload: { worker_name: 'multi-1' } })
    expect(byName['multi-2']).toBeNull()
  })
})
