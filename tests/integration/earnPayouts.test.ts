import { createHash } from 'node:crypto'
import { basename, join } from 'node:path'
import type Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { gridNamesOf } from '../../src/grid/advertisedNames.js'
import { SEED_REGISTRY } from '../../src/grid/denRegistry.js'
import { openDatabase } from '../../src/main/store/database.js'
import type { EarnService } from '../../src/main/earn/earnService.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { earnServiceOn, loadedModel, readyEngine } from '../support/earnHarness.js'
import { tempDataDir } from '../support/paths.js'

const PAYOUT_WALLET = `0x${'12'.repeat(20)}`

const temp = tempDataDir()
let db: Database.Database
let grid: DevGrid
const services: EarnService[] = []

beforeAll(async () => {
  db = openDatabase(join(temp.dir, 'gridforge.db'))
  // A payout wallet set in the console: core lists and settles an account's jobs by it.
  grid = await startDevGrid({
    mode: 'aipg',
    keys: { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: PAYOUT_WALLET } },
  })
})
afterEach(async () => {
  await Promise.all(services.splice(0).map((earn) => earn.close()))
})
afterAll(async () => {
  await grid.close()
  db.close()
  temp.cleanup()
})

const engine = readyEngine({ text: 'Once upon a time', promptTokens: 4, completionTokens: 4, durationMs: 5 })

/** The earn feature on the real store and the dev grid, naming models the way the host does (catalog-less here). */
function earnOn(secretsDir: string, log: string[]) {
  const earn = earnServiceOn(db, temp.dir, secretsDir, {
    engine,
    advertisedFor: (path, registry) => gridNamesOf([], registry ?? SEED_REGISTRY, { fileName: basename(path) }),
    log: (line) => log.push(line),
  })
  services.push(earn)
  earn.configure({
    network: 'aipg',
    gridUrl: grid.url,
    workerName: `payouts-${secretsDir}`,
    slots: 1,
    maxLength: 64,
    maxContextLength: 1024,
  })
  return earn
}

const until = (check: () => boolean, what: string) => grid.waitFor(check, 10_000, what)
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

describe('money you can see (GET /v1/account/jobs and /v1/account/payouts)', () => {
  it("marks the ledger's jobs signed or unsigned with their result hash, and lists the payouts with their transactions", async () => {
    const earn = earnOn('secrets-money', [])
    await earn.setApiKey('aipg', 'dev-key-alice')
    const ids = [0, 1].map(() => grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Tell a story' }], max_tokens: 16 } }))
    await earn.start()
    await until(() => ids.every((id) => grid.aipg.ledger.some((row) => row.jobId === id)), 'both jobs settled')
    earn.stop()
    // What the grid's verifier records for a job whose worker_sig checks out (signing itself: workerIdentityWire.test.ts).
    const signedId = ids[0]!
    Object.assign(
      grid.aipg.ledger.find((row) => row.jobId === signedId)!,
      { signed: true, resultHash: sha256('Once upon a time') },
    )
    grid.aipg.payouts.set('alice#1', {
      accrued_aipg: 0.42,
      paid_aipg: 1.5,
      payouts: [
        {
          period_id: '2026-12-01T09',
          den: 150,
          aipg: 1.5,
          status: 'confirmed',
          tx_hash: `0x${'ab'.repeat(32)}`,
          address: `0x${'12'.repeat(20)}`,
          paid: true,
        },
        { period_id: '2026-12-01T10', den: 42, aipg: 0.42, status: 'pending', tx_hash: null, address: `0x${'12'.repeat(20)}`, paid: false },
      ],
    })

    const { account } = await earn.refreshAccount()
    expect(account.state).toBe('ok')
    const ledgerIds = earn.jobs(10).map((job) => job.jobId)
    expect(ledgerIds).toEqual(expect.arrayContaining(ids))
    const marks = new Map(account.jobs!.map((mark) => [mark.jobId, mark]))
    expect(marks.get(signedId)).toEqual({ jobId: signedId, signed: true, resultHash: sha256('Once upon a time') })
    // Nothing unsigned is reported as signed.
    expect(marks.get(ids[1]!)).toEqual({ jobId: ids[1], signed: false, resultHash: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(account.payouts).toEqual({
      accruedAipg: 0.42,
      paidAipg: 1.5,
      payouts: [
        {
          periodId: '2026-12-01T09',
          den: 150,
          aipg: 1.5,
          status: 'confirmed',
          txHash: `0x${'ab'.repeat(32)}`,
          address: `0x${'12'.repeat(20)}`,
        },
        { periodId: '2026-12-01T10', den: 42, aipg: 0.42, status: 'pending', txHash: null, address: `0x${'12'.repeat(20)}` },
      ],
    })
  })

  it('says unavailable when the grid is down, keeping the last lists, without logging every failure', async () => {
    const log: string[] = []
    const earn = earnOn('secrets-offline', log)
    await earn.setApiKey('aipg', 'dev-key-alice')
    const ok = (await earn.refreshAccount()).account
    expect(ok.payouts).not.toBeNull()
    grid.faults.down = true
    try {
      for (let i = 0; i < 3; i++) {
        const down = (await earn.refreshAccount()).account
        expect(down).toMatchObject({
          state: 'unavailable',
          message: 'Account totals unavailable (grid unreachable).',
          jobs: ok.jobs,
          payouts: ok.payouts,
        })
      }
    } finally {
      grid.faults.down = false
    }
    expect(log).toEqual([])
  })
})

describe("the grid's model registry", () => {
  it('is used once the grid publishes one: the loaded model then earns its multiplier under its registry name', async () => {
    const earn = earnOn('secrets-registry', [])
    await earn.setApiKey('aipg', 'dev-key-alice')
    await earn.refreshAccount()
    // The dev grid, like core today, publishes none: the shipped list counts and tiny.gguf earns the base rate.
    expect(earn.snapshot().modelRate).toMatchObject({
      path: loadedModel.path,
      advertisedName: 'grid/tiny',
      multiplier: 1,
      registered: false,
    })
    grid.aipg.registry = { ...Object.fromEntries(SEED_REGISTRY), tiny: 5 }
    try {
      await earn.refreshAccount()
      expect(earn.snapshot().modelRate).toMatchObject({ advertisedName: 'tiny', multiplier: 5, registered: true })
    } finally {
      grid.aipg.registry = null
    }
  })
})
