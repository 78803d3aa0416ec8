import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import { Worker } from 'node:worker_threads'

/**
 * The sha256 of a file that is being written, computed in order as its bytes become final: `advanceTo(n)`
 * says bytes [0, n) are on disk and will not change. The hasher reads them back itself (they are still in
 * the page cache), so the thread that receives and writes never hashes, and a resumed or ranged download
 * (bytes arriving out of order) hashes the same way as one stream.
 */
export interface FileHasher {
  advanceTo(offset: number): void
  /** The hex digest once bytes [0, size) are hashed; rejects if the file could not be read. */
  digest(size: number): Promise<string>
  /** Stops hashing (an abort); safe to call after `digest`. */
  close(): Promise<void>
}

/**
 * Where the hashing runs. `worker` (the app): a worker thread, so on two cores SHA-256 (≈ 650 MB/s here) no
 * longer takes turns with receiving and writing; `inline`: the same reads and hashing on this thread, in
 * large steps (kept to measure against, and for a host that cannot start workers).
 */
export type HashPlace = 'worker' | 'inline'

const READ_BYTES = 4 * 1024 * 1024

// An eval'd CommonJS worker: it needs no file of its own, so it runs the same from source (tests, bench)
// and from the bundled app. It reads through the descriptor this thread opened (descriptors belong to the
// process), so terminating it never leaks one, and this thread closes it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const { readSync } = require('node:fs')
const hash = createHash('sha256')
const buffer = Buffer.allocUnsafe(${READ_BYTES})
let at = 0
parentPort.on('message', (message) => {
  while (at < message.to) {
    const read = readSync(workerData.fd, buffer, 0, Math.min(buffer.length, message.to - at), at)
    if (read === 0) throw new Error('the file ended at byte ' + at + ', before byte ' + message.to)
    hash.update(buffer.subarray(0, read))
    at += read
  }
  if (message.digest) parentPort.postMessage({ digest: hash.digest('hex') })
})
`

/** Starts hashing `path` (which must exist) from its first byte. */
export async function startFileHasher(path: string, place: HashPlace = 'worker'): Promise<FileHasher> {
  const file = await open(path, 'r')
  return place === 'worker' ? workerHasher(file) : inlineHasher(file)
}

function workerHasher(file: FileHandle): FileHasher {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd: file.fd } })
  let failure: Error | null = null
  let settle: { resolve(hex: string): void; reject(error: Error): void } | null = null
  let requested = 0
  let closed: Promise<void> | null = null
  worker.on('message', (message: { digest: string }) => settle?.resolve(message.digest))
  worker.on('error', (error) => {
    failure = error
    settle?.reject(error)
  })
  worker.on('exit', () => settle?.reject(failure ?? new Error('the hasher stopped')))
  const close = () => (closed ??= worker.terminate().then(() => file.close()))
  return {
    advanceTo(offset) {
      if (offset <= requested || failure) return
      requested = offset
      worker.postMessage({ to: offset })
    },
    digest(size) {
      return new Promise<string>((resolve, reject) => {
        if (failure) return reject(failure)
        settle = { resolve, reject }
        worker.postMessage({ to: size, digest: true })
      }).finally(close)
    },
    close,
  }
}

function inlineHasher(file: FileHandle): FileHasher {
  const hash = createHash('sha256')
  const buffer = Buffer.allocUnsafe(READ_BYTES)
  let at = 0
  let wanted = 0
  let stopped = false
  let running: Promise<void> = Promise.resolve()
  const catchUp = async () => {
    while (at < wanted && !stopped) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, wanted - at), at)
      if (bytesRead === 0) throw new Error(`the file ended at byte ${at}, before byte ${wanted}`)
      hash.update(buffer.subarray(0, bytesRead))
      at += bytesRead
    }
  }
  const advanceTo = (offset: number) => {
    if (offset <= wanted) return
    wanted = offset
    running = running.then(catchUp)
    // A failure surfaces in digest(); this keeps it from being unhandled meanwhile.
    running.catch(() => undefined)
  }
  let closed: Promise<void> | null = null
  const close = () =>
    (closed ??= (async () => {
      stopped = true
      await running.catch(() => undefined)
      await file.close()
    })())
  return {
    advanceTo,
    async digest(size) {
      advanceTo(size)
      try {
        await running
        return hash.digest('hex')
      } finally {
        await close()
      }
    },
    close,
  }
}
