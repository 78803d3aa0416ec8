import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterEach, expect, it } from 'vitest'
import { FROM_SOURCE_BOOT, importOnThread } from '../../src/main/chat/transfer/importOnThread.js'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import { JobsRepository } from '../../src/main/store/jobsRepository.js'
import { hostWriteTurns, inTurn } from '../../src/main/store/writeTurns.js'
import { longConversation } from '../support/longConversation.js'
import { repoRoot } from '../support/paths.js'

const entry = join(repoRoot, 'tests', 'support', 'sliceThread.ts')
const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** The order in which a background thread's two slices and one host write reached the database. */
async function commitOrder(takeTurns: boolean): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-turns-'))
  dirs.push(dir)
  const db = openDatabase(join(dir, 'gridforge.db'))
  db.exec('CREATE TABLE turn_log (id INTEGER PRIMARY KEY, who TEXT NOT NULL)')
  const control = new SharedArrayBuffer(8)
  const begun = new Int32Array(control)
  const turns = takeTurns ? hostWriteTurns(db).buffer : null
  const thread = new Worker(FROM_SOURCE_BOOT, { eval: true, workerData: { entry, file: db.name, turns, control, slices: 2, holdMs: 300 } })
  const exited = new Promise((resolve) => thread.on('exit', resolve))
  // The host's write arrives while the first slice holds the lock, as a job's ledger row does during an import.
  await expect.poll(() => Atomics.load(begun, 0), { timeout: 60_000, interval: 5 }).toBeGreaterThan(0)
  inTurn(db, () => db.prepare("INSERT INTO turn_log (who) VALUES ('host')").run())
  await exited
  const order = db.prepare('SELECT who FROM turn_log ORDER BY id').pluck().all() as string[]
  db.close()
  return order
}

it("a host write that meets an import's slice runs as soon as that slice commits, before the next one", async () => {
  expect(await commitOrder(true)).toEqual(['slice 1', 'host', 'slice 2'])
})

it('without turns, SQLite lets the next slice overtake the waiting host write (what the turns are for)', async () => {
  expect(await commitOrder(false)).toEqual(['slice 1', 'slice 2', 'host'])
})

it("a job's ledger row written while the import thread is in the middle of a long slice ends that slice: it does not wait for it", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-turns-'))
  dirs.push(dir)
  const db = openDatabase(join(dir, 'gridforge.db'))
  const text = JSON.stringify({ format: 'gridforge-chat', version: 2, exportedAt: 0, conversations: [longConversation(20_000)] })
  let finished = false
  // One slice would hold the lock for the whole import but for the host's write.
  const importing = importOnThread(text, { db }, { sliceMs: 60_000 }).finally(() => (finished = true))
  const turns = hostWriteTurns(db)
  await expect.poll(() => turns.backgroundWriting() || finished, { timeout: 60_000, interval: 1 }).toBe(true)
  // Meanwhile the thread checkpoints between its slices, and no host commit copies the import's pages.
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
  new JobsRepository(db).record({
    network: 'aipg',
    jobId: 'job-1',
    model: 'grid/stories260K',
    promptTokens: 5,
    completionTokens: 8,
    durationMs: 100,
    tokensPerSecond: 80,
    reward: 1,
    state: 'ok',
    error: null,
    startedAt: 0,
    finishedAt: 1,
  })
  // Written in the middle: the import had stored only part of the conversation when the row went in.
  const storedBefore = db.prepare('SELECT COUNT(*) FROM messages').pluck().get() as number
  expect(storedBefore).toBeLessThan(20_000)
  const [imported] = (await importing)!
  expect(new ChatRepository(db).listAllMessages(imported!.id)).toHaveLength(20_000)
  expect(new JobsRepository(db).list().map((job) => job.jobId)).toEqual(['job-1'])
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
  db.close()
})
