import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { AppError } from '../../../shared/result.js'
import { ChatRepository } from '../../store/chatRepository.js'
import { openDatabase } from '../../store/database.js'
import { takeBackgroundTurns } from '../../store/writeTurns.js'
import { lowerThisThreadsPriority } from '../../lib/lowestPriority.js'
import { checkImport, IMPORT_CANCELLED, NO_CONVERSATIONS, storeImport } from './importChats.js'
import { MESSAGES_PER_PIECE } from './importFileReader.js'
import { importPieces } from './importPieces.js'
import {
  IMPORT_THREAD,
  LOW_PRIORITY_REST_MS,
  ThreadState,
  type HostToImportThread,
  type ImportThreadData,
  type ImportThreadMessage,
  type ThreadFailure,
} from './importThreadMessages.js'

/** Slices between this thread's checkpoints (each slice writes a few dozen pages; the host's threshold is 1,000). */
const CHECKPOINT_EVERY_SLICES = 16

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
  const pieces: string[] = []
  let gotText: () => void = () => undefined
  const textArrived = new Promise<void>((resolve) => (gotText = resolve))
  port.on('message', (message: HostToImportThread) => {
    if (message.type === 'cancel') cancel.abort()
    else if (pieces.push(message.piece) === data.textPieces) gotText()
  })
  if (data.textPieces === 0) gotText()
  let db: ReturnType<typeof openDatabase> | null = null
  let answer: ImportThreadMessage | null = null
  try {
    // The CPU then goes to the host and the engine by the scheduler's choice, so the rests can be short.
    const restMs = lowerThisThreadsPriority() ? Math.min(data.restMs, LOW_PRIORITY_REST_MS) : data.restMs
    db = openDatabase(data.file, undefined, data.nativeBinding ? { nativeBinding: data.nativeBinding } : {})
    // An automatic checkpoint runs inside the commit that finds the WAL past its threshold: here that is
    // inside a slice's turn, where it held the host's writes for 10–60 ms. This thread checkpoints between
    // slices instead, PASSIVE (host writes go on meanwhile), often enough that the host's own threshold is
    // rarely reached.
    db.pragma('wal_autocheckpoint = 0')
    const turns = takeBackgroundTurns(db, data.turns)
    post({ type: 'ready' })
    await textArrived
    const parts = importPieces(pieces.splice(0).join(''), MESSAGES_PER_PIECE)
    const conversations = await checkImport({ next: async () => parts.next().value ?? { kind: 'end' } })
    if (conversations.length === 0) throw new AppError('BAD_REQUEST', NO_CONVERSATIONS)
    // Cancelled while reading: the host has already answered, and nothing was written.
    if (Atomics.compareExchange(state, 0, ThreadState.READING, ThreadState.WRITING) !== ThreadState.READING) return
    let toldAt = 0
    let slices = 0
    const imported = await storeImport(new ChatRepository(db), conversations, {
      signal: cancel.signal,
      sliceMs: data.sliceMs,
      sliceMessages: data.sliceMessages,
      // A host write (a job's ledger row) waits only for the row being stored and the commit, not a whole slice.
      giveWay: () => turns.hostWaiting(),
      // The host's writes no longer need the gap (they take their turn: store/writeTurns.ts); the rest leaves
      // the CPU to the host and the engine.
      pause: () => {
        slices += 1
        if (slices % CHECKPOINT_EVERY_SLICES === 0) db?.pragma('wal_checkpoint(PASSIVE)')
        return new Promise((resolve) => setTimeout(resolve, restMs))
      },
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
