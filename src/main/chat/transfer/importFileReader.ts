import { Worker } from 'node:worker_threads'

/**
 * Messages handed over per piece: each piece is received and checked on the main thread between turns of
 * its event loop, in well under a millisecond (1,000 a piece took about 3 ms, which a job could wait behind).
 */
export const MESSAGES_PER_PIECE = 200

/** What the reader thread found in an import file, handed over one piece at a time. */
export type ImportPiece =
  | { kind: 'notJson' }
  | { kind: 'other' }
  /** A GridForge export with every conversation's messages left out; they follow as `messages` pieces. */
  | { kind: 'envelope'; envelope: unknown }
  | { kind: 'messages'; conversation: number; from: number; messages: unknown[] }
  /** One conversation of a ChatGPT `conversations.json`, checked and converted by the main thread. */
  | { kind: 'chatGpt'; index: number; conversation: unknown }
  | { kind: 'end' }

// An eval'd CommonJS worker (like the file hasher's): it needs no file of its own, so it runs the same from
// source (tests, bench) and from the bundled app. It only parses and cuts the file into pieces; the schemas
// stay on the main thread, which checks each piece as it arrives. The big parse, and the garbage collection
// of its tree, happen on this thread's own heap. Pieces go one per request, because a port delivers every
// queued message in one turn of the receiving loop.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const PER_PIECE = workerData.perPiece
function* pieces(text) {
  let data
  try {
    data = JSON.parse(text)
  } catch {
    yield { kind: 'notJson' }
    return
  }
  text = null
  if (Array.isArray(data)) {
    for (let index = 0; index < data.length; index += 1) yield { kind: 'chatGpt', index, conversation: data[index] }
  } else if (typeof data === 'object' && data !== null && data.format === 'gridforge-chat') {
    const conversations = Array.isArray(data.conversations) ? data.conversations : null
    const split = conversations !== null && conversations.every((c) => typeof c === 'object' && c !== null && Array.isArray(c.messages))
    if (!split) {
      yield { kind: 'envelope', envelope: data }
    } else {
      yield { kind: 'envelope', envelope: { ...data, conversations: conversations.map((c) => ({ ...c, messages: [] })) } }
      for (let conversation = 0; conversation < conversations.length; conversation += 1) {
        const messages = conversations[conversation].messages
        for (let from = 0; from < messages.length; from += PER_PIECE) {
          yield { kind: 'messages', conversation, from, messages: messages.slice(from, from + PER_PIECE) }
        }
      }
    }
  } else {
    yield { kind: 'other' }
    return
  }
  yield { kind: 'end' }
}
const reader = pieces(workerData.text)
parentPort.on('message', () => {
  const next = reader.next()
  if (!next.done) parentPort.postMessage(next.value)
})
`

/** Pieces of an import file, read on their own thread; `close` stops the thread (a cancel). */
export interface ImportFileReader {
  /** The next piece; the last is `end`, `notJson` or `other`. Rejects once closed. */
  next(): Promise<ImportPiece>
  close(): Promise<void>
}

/** Starts parsing `text` on a worker thread, handing over `perPiece` messages a piece. */
export function readImportFile(text: string, perPiece = MESSAGES_PER_PIECE): ImportFileReader {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { text, perPiece } })
  let waiting: { resolve(piece: ImportPiece): void; reject(error: Error): void } | null = null
  let failure: Error | null = null
  const fail = (error: Error) => {
    failure ??= error
    waiting?.reject(failure)
    waiting = null
  }
  worker.on('message', (piece: ImportPiece) => {
    const settle = waiting
    waiting = null
    settle?.resolve(piece)
  })
  worker.on('error', fail)
  worker.on('exit', () => fail(new Error('the import reader stopped')))
  let closed: Promise<void> | null = null
  return {
    next() {
      return new Promise<ImportPiece>((resolve, reject) => {
        if (failure) return reject(failure)
        waiting = { resolve, reject }
        worker.postMessage(null)
      })
    },
    close: () => (closed ??= worker.terminate().then(() => undefined)),
  }
}
