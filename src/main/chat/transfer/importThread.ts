import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { AppError } from '../../../shared/result.js'
import { ChatRepository } from '../../store/chatRepository.js'
import { openDatabase } from '../../store/database.js'
import { takeBackgroundTurns } from '../../store/writeTurns.js'
import { checkImport, IMPORT_CANCELLED, NO_CONVERSATIONS, storeImport } from './importChats.js'
import { MESSAGES_PER_PIECE } from './importFileReader.js'
import { importPieces } from './importPieces.js'
import {
  IMPORT_THREAD,
  ThreadState,
  type HostToImportThread,
  type ImportThreadData,
  type ImportThreadMessage,
  type ThreadFailure,
} from './importThreadMessages.js'

/** The longest rest after a slice (one that took long because this thread waited for a CPU). */
const MAX_REST_MS = 50

/** This connection's WAL checkpoint threshold, in pages. */
const CHECKPOINT_PAGES = 250

/** Progress is told at most this often: each message is an event the host forwards to every window. */
const PROGRESS_EVERY_MS = 50

/**
 * The whole import, on its own thread: parse, checks, ordering and writes, through its own connection to
 * the host's database file. Each slice is an IMMEDIATE transaction of `sliceMs`, then the thread rests
 * `restMs` with the write lock free, so a host write (the job ledger, a chat message) waits for one slice
 * at most. The host thread only relays progress and cancels.
 */
async function runImport(data: ImportThreadData, port: MessagePort): Promise<void> {
  const post = (message: ImportThreadMessage) => port.postMessage(message)
  const state = new Int32Array(data.state)
  const cancel = new AbortController()
  port.on('message', (message: HostToImportThread) => {
    if (message.type === 'cancel') cancel.abort()
  })
  let db: ReturnType<typeof openDatabase> | null = null
  let answer: ImportThreadMessage | null = null
  try {
    db = openDatabase(data.file, undefined, data.nativeBinding ? { nativeBinding: data.nativeBinding } : {})
    // The connection whose commit finds the WAL past its threshold runs the checkpoint, inside that call. A
    // threshold a quarter of the host's (1,000 pages) makes this thread, which commits far more often, do the
    // import's checkpoints, so a host write is not the one that copies the import's pages (not yet measured).
    db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`)
    takeBackgroundTurns(db, data.turns)
    post({ type: 'ready' })
    const pieces = importPieces(data.text, MESSAGES_PER_PIECE)
    data.text = ''
    const conversations = await checkImport({ next: async () => pieces.next().value ?? { kind: 'end' } })
    if (conversations.length === 0) throw new AppError('BAD_REQUEST', NO_CONVERSATIONS)
    // Cancelled while reading: the host has already answered, and nothing was written.
    if (Atomics.compareExchange(state, 0, ThreadState.READING, ThreadState.WRITING) !== ThreadState.READING) return
    let toldAt = 0
    const imported = await storeImport(new ChatRepository(db), conversations, {
      signal: cancel.signal,
      sliceMs: data.sliceMs,
      sliceMessages: data.sliceMessages,
      // At least as long as the slice held the lock: on a loaded machine a slice of 3 ms can take tens of
      // milliseconds of wall time, and a fixed short rest then left the host's retries almost no gap to land in.
      pause: (slice) => new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(data.restMs, slice), MAX_REST_MS))),
      onProgress: (stored, total) => {
        const now = performance.now()
        if (stored < total && now - toldAt < PROGRESS_EVERY_MS) return
        toldAt = now
        post({ type: 'progress', stored, total })
      },
    })
    answer = { type: 'done', imported }
  } catch (error) {
    answer = { type: 'failed', failure: failureOf(cancel.signal.aborted ? new AppError('BAD_REQUEST', IMPORT_CANCELLED) : error) }
  } finally {
    // Closed before the answer: the host ends the thread on it, and the database file must be free by then.
    db?.close()
  }
  if (answer) post(answer)
}

function failureOf(error: unknown): ThreadFailure {
  const code = (error as { code?: unknown } | null)?.code
  return {
    appError: error instanceof AppError,
    code: typeof code === 'string' ? code : null,
    message: error instanceof Error ? error.message : String(error),
  }
}

if (!isMainThread && parentPort && (workerData as { kind?: unknown } | null)?.kind === IMPORT_THREAD) {
  void runImport(workerData as ImportThreadData, parentPort)
}
