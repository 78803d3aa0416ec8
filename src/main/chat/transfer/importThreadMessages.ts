import type { ConversationSummary } from '../../../shared/domain.js'

/** Marks a worker started as the import thread (its entry file does nothing anywhere else). */
export const IMPORT_THREAD = 'gridforge-chat-import'

/** The rest after a slice when the thread runs at the lowest priority (Linux): the scheduler then shares the CPU, not the rests. */
export const LOW_PRIORITY_REST_MS = 1

/** Where an import thread stands, in its shared `state` cell; the host cancels a read by swapping READING for CANCELLED. */
export const ThreadState = { READING: 0, WRITING: 1, CANCELLED: 2 } as const

/** What the host gives the import thread. */
export interface ImportThreadData {
  kind: typeof IMPORT_THREAD
  /** How many `text` messages carry the file, in order (it is not in the thread's start data: see importOnThread). */
  textPieces: number
  /** The database file, which the thread opens with its own connection (the host's is in WAL mode). */
  file: string
  nativeBinding?: string
  sliceMs: number
  /** How long the thread rests after each slice, with the write lock free for the host. */
  restMs: number
  sliceMessages?: number
  /** One Int32 cell holding a `ThreadState`. */
  state: SharedArrayBuffer
  /** The host connection's `WriteTurns`: each slice waits for the host's writes, and they for it. */
  turns: SharedArrayBuffer
}

/** A failure as it crosses the thread: an AppError keeps its code and sentence, a SQLite error its code. */
export interface ThreadFailure {
  appError: boolean
  code: string | null
  message: string
}

/** What the import thread tells the host. */
export type ImportThreadMessage =
  /** Its database is open: from here on a failure is the import's, not the thread's. */
  | { type: 'ready' }
  | { type: 'progress'; stored: number; total: number }
  | { type: 'done'; imported: ConversationSummary[] }
  | { type: 'failed'; failure: ThreadFailure }

/** What the host tells the import thread. */
export type HostToImportThread = { type: 'cancel' } | { type: 'text'; piece: string }
