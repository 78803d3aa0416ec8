import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type Database from 'better-sqlite3'
import type { ConversationSummary } from '../../../shared/domain.js'
import { AppError } from '../../../shared/result.js'
import { handOffCheckpoints } from '../../store/checkpointHandOff.js'
import { hostWriteTurns } from '../../store/writeTurns.js'
import { IMPORT_CANCELLED, type ImportProgress } from './importChats.js'
import {
  IMPORT_THREAD,
  ThreadState,
  type HostToImportThread,
  type ImportThreadData,
  type ImportThreadMessage,
  type ThreadFailure,
} from './importThreadMessages.js'

/**
 * The import thread's slice and rest. SQLite's busy handler retries a waiting write 1, 3, 8, 18… ms after it
 * first found the lock taken, and the host's event loop waits with it. A slice that holds the lock under 3 ms
 * (2 ms of rows, then the slice's search-index statement and the commit) followed by a rest of at least 3 ms
 * should land the retry at 1 or 3 ms in the rest. Measured, a host write still waited 14.8 ms at p99 (load
 * 3–5) against 12.8 with 3 ms slices (load 1): something else (a checkpoint, the thread descheduled with the
 * lock) is most of that tail.
 */
export const THREAD_SLICE_MS = 2
export const THREAD_REST_MS = 3

/**
 * The file goes to the thread in pieces of this many characters, one per turn of the event loop: copied
 * whole into the thread's start data, a 22 MB file held the host's event loop for 15–90 ms.
 */
const TEXT_PIECE_CHARS = 1 << 20

/** The host's database and how to open it again (the Electron build's addon, when there is one). */
export interface SharedDatabase {
  db: Database.Database
  nativeBinding?: string
}

/**
 * Why a second connection cannot share `db` with the host, or null when it can: an in-memory database is
 * the host's alone, and exclusive locking mode (a start on a full disk) locks every other connection out.
 */
export function unshareable(db: Database.Database): string | null {
  if (db.memory) return 'the database is in memory'
  if (String(db.pragma('locking_mode', { simple: true })).toLowerCase() === 'exclusive') return 'the database is open in exclusive mode'
  return null
}

/** How `importOnThread` paces itself and reports. */
export interface ThreadImportOptions {
  onProgress?: ImportProgress
  /** Aborting stops the import: at once while the file is being read, else after the slice being written. */
  signal?: AbortSignal
  sliceMs?: number
  restMs?: number
  sliceMessages?: number
}

// From source (tests, the bench) the thread runs the TypeScript module through tsx's API, which the host's
// own loader (vitest, tsx) does not lend to a worker; it is found from the source file, as a devDependency
// only a checkout has. The built app starts its own entry beside the chunks instead, and never runs this.
export const FROM_SOURCE_BOOT = `
const { createRequire } = require('node:module')
const { dirname, join } = require('node:path')
const { pathToFileURL } = require('node:url')
const { workerData } = require('node:worker_threads')
const fromSource = createRequire(workerData.entry)
const manifest = fromSource.resolve('tsx/package.json')
const api = join(dirname(manifest), fromSource(manifest).exports['./esm/api'].import.default)
import(pathToFileURL(api).href).then((tsx) => {
  tsx.register()
  return import(workerData.entry)
})
`

function threadWorker(workerData: ImportThreadData): Worker | null {
  if (import.meta.url.endsWith('.ts')) {
    const entry = new URL('./importThread.ts', import.meta.url).href
    return new Worker(FROM_SOURCE_BOOT, { eval: true, workerData: { ...workerData, entry } })
  }
  // The bundle's entry files sit in out/main, this code in out/main or out/main/chunks.
  const here = dirname(fileURLToPath(import.meta.url))
  const entry = [join(here, 'importThread.js'), join(here, '..', 'importThread.js')].find((file) => existsSync(file))
  return entry ? new Worker(pathToFileURL(entry), { workerData }) : null
}

async function sendText(thread: Worker, text: string): Promise<void> {
  for (let at = 0; at < text.length; at += TEXT_PIECE_CHARS) {
    thread.postMessage({ type: 'text', piece: text.slice(at, at + TEXT_PIECE_CHARS) } satisfies HostToImportThread)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

function failureError(failure: ThreadFailure): Error {
  if (failure.appError) return new AppError(failure.code as AppError['code'], failure.message)
  // A SQLite error keeps its code, so the caller's `asStorageError` gives the disk-full sentence (and the banner) here.
  return Object.assign(new Error(failure.message), failure.code ? { code: failure.code } : {})
}

/**
 * Imports the file `text` on a thread with its own connection to `database`'s file: the parse, the checks,
 * the ordering and the writes all run there, and this thread only relays progress and a cancel. Resolves
 * with the new conversations, or null when the thread could not start or open the database (the caller
 * then imports on this thread); rejects with the import's own failure.
 */
export function importOnThread(
  text: string,
  database: SharedDatabase,
  options: ThreadImportOptions = {},
): Promise<ConversationSummary[] | null> {
  const { onProgress = () => undefined, signal, sliceMs = THREAD_SLICE_MS, restMs = THREAD_REST_MS, sliceMessages } = options
  if (signal?.aborted) return Promise.reject(new AppError('BAD_REQUEST', IMPORT_CANCELLED))
  const state = new SharedArrayBuffer(4)
  const cell = new Int32Array(state)
  const turns = hostWriteTurns(database.db)
  const data: ImportThreadData = {
    kind: IMPORT_THREAD,
    textPieces: Math.ceil(text.length / TEXT_PIECE_CHARS),
    file: database.db.name,
    ...(database.nativeBinding ? { nativeBinding: database.nativeBinding } : {}),
    sliceMs,
    restMs,
    ...(sliceMessages ? { sliceMessages } : {}),
    state,
    turns: turns.buffer,
  }
  let worker: Worker | null
  try {
    worker = threadWorker(data)
  } catch {
    worker = null
  }
  if (!worker) return Promise.resolve(null)
  const thread = worker
  const giveBackCheckpoints = handOffCheckpoints(database.db)
  void sendText(thread, text)
  return new Promise<ConversationSummary[] | null>((resolve, reject) => {
    let ready = false
    let settled = false
    const settle = (outcome: () => void) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', cancel)
      giveBackCheckpoints()
      // The import answers once its thread is gone, so closing the host leaves no handle on the database files.
      void thread.terminate().finally(outcome)
    }
    const cancel = () => {
      // Still reading: nothing is written yet, so the thread is simply stopped. Writing: it removes what it stored, then answers.
      if (Atomics.compareExchange(cell, 0, ThreadState.READING, ThreadState.CANCELLED) === ThreadState.READING) {
        settle(() => reject(new AppError('BAD_REQUEST', IMPORT_CANCELLED)))
      } else thread.postMessage({ type: 'cancel' })
    }
    signal?.addEventListener('abort', cancel)
    thread.on('message', (message: ImportThreadMessage) => {
      if (message.type === 'ready') ready = true
      else if (message.type === 'progress') onProgress(message.stored, message.total)
      else if (message.type === 'done') settle(() => resolve(message.imported))
      else settle(() => (ready ? reject(failureError(message.failure)) : resolve(null)))
    })
    thread.on('error', (error) => settle(() => (ready ? reject(error) : resolve(null))))
    // What a thread that died halfway had stored stays hidden, and the next start removes it (chat_imports).
    thread.on('exit', () => {
      // A thread that died inside a slice never ends it: the host's writes must not wait for it.
      if (!settled) turns.releaseAll()
      settle(() => (ready ? reject(new Error('The import stopped before it finished.')) : resolve(null)))
    })
  })
}
