import { Worker } from 'node:worker_threads'
import { importPieces, type ImportPiece } from './importPieces.js'

/**
 * Messages handed over per piece: each piece is received and checked on the main thread between turns of
 * its event loop, in well under a millisecond (1,000 a piece took about 3 ms, which a job could wait behind).
 */
export const MESSAGES_PER_PIECE = 200

export type { ImportPiece }

// An eval'd CommonJS worker (like the file hasher's): it needs no file of its own, so it runs the same from
// source (tests, bench) and from the bundled app, with `importPieces`' own source text. It only parses and
// cuts the file into pieces; the schemas stay on the main thread, which checks each piece as it arrives. The
// big parse, and the garbage collection of its tree, happen on this thread's own heap. Pieces go one per
// request, because a port delivers every queued message in one turn of the receiving loop.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const reader = (${importPieces.toString()})(workerData.text, workerData.perPiece)
workerData.text = null
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
