import { open, rm, stat, truncate } from 'node:fs/promises'
import { AppError } from '../../shared/result.js'
import { startFileHasher, type HashPlace } from './hashWorker.js'
import { networkSentence } from '../../shared/networkWords.js'
import { PartWriter } from './partWriter.js'

/** A failed transfer attempt; `retryable` ones are tried again after a backoff, the others end the download. */
export class TransferError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message)
    this.name = 'TransferError'
  }
}

/** What the server says about a file before the transfer. */
export interface RemoteFileInfo {
  sizeBytes: number | null
  /** The sha256 the server advertises (Hugging Face's `X-Linked-ETag` for LFS files), if any. */
  sha256: string | null
  /** The server said it serves byte ranges (`Accept-Ranges: bytes`), so the file may come in parallel parts. */
  acceptsRanges: boolean
}

/** One attempt's options. */
export interface TransferOptions {
  url: string
  /** The partial file: appended to, its size is where the transfer resumes. */
  partPath: string
  headers?: Record<string, string>
  signal: AbortSignal
  /** Called as bytes arrive, with the total received and the expected total. */
  onBytes(received: number, total: number | null): void
  fetch?: typeof fetch
  /**
   * Checks the free space before the first byte is written and again every `spaceCheckEveryBytes`, so a
   * download stops before it fills the disk even when the server sent no Content-Length. It throws to stop.
   */
  checkSpace?(received: number, total: number | null): Promise<void>
  spaceCheckEveryBytes?: number
  /** Where the sha256 is computed (a worker thread unless the bench compares). */
  hashPlace?: HashPlace
}

/** The finished file. */
export interface TransferResult {
  sizeBytes: number
  sha256: string
}

export const GGUF_MAGIC = Buffer.from('GGUF')
/** How long a server has to answer before the attempt counts as failed (and is retried). */
const ANSWER_TIMEOUT_MS = 10_000

/** What a download that ran out of disk says; it stays paused until the user resumes it. */
export const DOWNLOAD_DISK_FULL = 'The disk is full; free some space and resume the download.'

/**
 * Asks for the file's size and advertised checksum without downloading it. Redirects are followed by hand
 * because Hugging Face puts `X-Linked-ETag` on its first answer (the redirect to its CDN).
 */
export async function probeRemoteFile(
  url: string,
  initialHeaders: Record<string, string>,
  signal: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): Promise<RemoteFileInfo> {
  let sha256: string | null = null
  let current = url
  let headers = initialHeaders
  for (let hop = 0; hop < 6; hop++) {
    // As in transferToFile: the answer must come in time, and the timer's own reason is what reaches the retry,
    // so a host that accepts and never answers is retried as "did not answer in time" instead of hanging on "Connecting…".
    const answered = new AbortController()
    const answerTimer = setTimeout(() => answered.abort(new DOMException('no answer', 'TimeoutError')), ANSWER_TIMEOUT_MS)
    const response = await fetchImpl(current, {
      method: 'HEAD',
      headers,
      redirect: 'manual',
      signal: AbortSignal.any([signal, answered.signal]),
    })
      .catch((error: unknown) => {
        throw networkError(current, answered.signal.aborted ? answered.signal.reason : error, signal)
      })
      .finally(() => clearTimeout(answerTimer))
    sha256 ??= advertisedSha256(response.headers)
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, current)
      // A token is for the host it was given for; a redirect elsewhere (a CDN) goes without it.
      if (next.origin !== new URL(current).origin) headers = withoutAuthorization(headers)
      current = next.href
      continue
    }
    if (!response.ok) throw statusError(response.status)
    const linkedSize = Number(response.headers.get('x-linked-size') ?? NaN)
    const length = Number(response.headers.get('content-length') ?? NaN)
    const sizeBytes = Number.isFinite(linkedSize) ? linkedSize : Number.isFinite(length) ? length : null
    const acceptsRanges = (response.headers.get('accept-ranges') ?? '').toLowerCase().includes('bytes')
    return { sizeBytes, sha256, acceptsRanges }
  }
  throw new TransferError('The server redirected too many times.', false)
}

/**
 * Downloads `url` into `partPath`, resuming from the bytes already there with an HTTP Range request. A
 * server that ignores Range (answers 200) makes it start over cleanly. Bytes are written in large pieces
 * and hashed by a worker thread as they land (an earlier attempt's bytes first), so verifying costs no
 * second pass and the thread that receives neither hashes nor waits on each small write.
 */
export async function transferToFile(options: TransferOptions): Promise<TransferResult> {
  // A partial file shorter than the magic cannot be checked on resume; it is cheaper to start it over.
  const kept = await sizeOf(options.partPath)
  const existing = kept >= GGUF_MAGIC.length ? kept : 0
  const headers: Record<string, string> = { ...options.headers, 'accept-encoding': 'identity' }
  if (existing > 0) headers.range = `bytes=${existing}-`
  const response = await answerOf(options.url, headers, options.signal, options.fetch)
  if (response.status === 416 && existing > 0) {
    // What we have no longer matches the file (it changed, or the part is longer than it): start again.
    await response.body?.cancel()
    await truncate(options.partPath, 0)
    throw new TransferError('The server refused to resume; starting over.', true)
  }
  if (!response.ok || !response.body) throw statusError(response.status)

  let offset = existing
  if (response.status === 206) {
    const range = contentRange(response.headers)
    if (!range || range.start !== existing) {
      await response.body.cancel()
      await truncate(options.partPath, 0)
      throw new TransferError('The server resumed at the wrong place; starting over.', true)
    }
  } else if (existing > 0) {
    offset = 0
  }
  const length = Number(response.headers.get('content-length') ?? NaN)
  const total = Number.isFinite(length) ? offset + length : null

  const file = await open(options.partPath, offset === 0 ? 'w' : 'r+')
  const hasher = await startFileHasher(options.partPath, options.hashPlace)
  hasher.advanceTo(offset)
  let written = offset
  const writer = new PartWriter(
    file,
    offset,
    (end) => {
      written = end
      hasher.advanceTo(end)
      options.onBytes(end, total)
    },
    writeError,
  )
  let received = offset
  let checkedMagic = offset >= GGUF_MAGIC.length
  // Bytes held back until the magic can be checked (a server may send it split over tiny chunks).
  let head = Buffer.alloc(0)
  const checkEvery = options.spaceCheckEveryBytes ?? 64 * 1024 * 1024
  let nextSpaceCheck = received
  try {
    const reader = response.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      let bytes: Uint8Array = value
      if (!checkedMagic) {
        head = Buffer.concat([head, bytes])
        if (head.length < GGUF_MAGIC.length) continue
        checkedMagic = true
        if (!head.subarray(0, GGUF_MAGIC.length).equals(GGUF_MAGIC)) throw notGguf()
        bytes = head
      }
      if (options.checkSpace && received >= nextSpaceCheck) {
        await options.checkSpace(received, total)
        nextSpaceCheck = received + checkEvery
      }
      await writer.push(bytes)
      received += bytes.length
    }
    if (!checkedMagic) throw notGguf()
    await writer.flush()
  } catch (error) {
    // What did arrive is kept for the resume; a write that failed already said why.
    await writer.flush().catch(() => undefined)
    await Promise.all([file.close(), hasher.close()])
    // A page that is not a model leaves nothing behind.
    if (written === 0) await rm(options.partPath, { force: true })
    if (error instanceof TransferError || error instanceof AppError) throw error
    throw networkError(options.url, error, options.signal)
  }
  await file.close()
  if (total !== null && received < total) {
    await hasher.close()
    throw new TransferError(`The connection ended early (${received} of ${total} bytes); resuming.`, true)
  }
  return { sizeBytes: received, sha256: await hasher.digest(received) }
}

/**
 * Asks for `url` and waits for the answer's headers, at most ANSWER_TIMEOUT_MS; the body then takes as long
 * as it takes. The timer's own reason is what reaches the retry, so a host that accepts and never answers is
 * retried as "did not answer in time".
 */
export async function answerOf(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): Promise<Response> {
  const answered = new AbortController()
  const answerTimer = setTimeout(() => answered.abort(new DOMException('no answer', 'TimeoutError')), ANSWER_TIMEOUT_MS)
  return fetchImpl(url, { headers, redirect: 'follow', signal: AbortSignal.any([signal, answered.signal]) })
    .catch((error: unknown) => {
      throw networkError(url, answered.signal.aborted ? answered.signal.reason : error, signal)
    })
    .finally(() => clearTimeout(answerTimer))
}

/** The start, end (inclusive) and full size of a 206 answer's `Content-Range`. */
export function contentRange(headers: Headers): { start: number; end: number; size: number | null } | null {
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(headers.get('content-range') ?? '')
  if (!range) return null
  return { start: Number(range[1]), end: Number(range[2]), size: range[3] === '*' ? null : Number(range[3]) }
}

/** The sha256 of a whole file (for files registered in place, and for the bench). */
export async function sha256OfFile(path: string): Promise<string> {
  const hasher = await startFileHasher(path)
  return hasher.digest(await sizeOf(path))
}

export async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'))
}

function advertisedSha256(headers: Headers): string | null {
  const value = (headers.get('x-linked-etag') ?? '').replace(/^W\//, '').replace(/"/g, '').toLowerCase()
  return /^[0-9a-f]{64}$/.test(value) ? value : null
}

export function statusError(status: number): TransferError {
  if (status === 404 || status === 410) return new TransferError(`The server has no file at that address (HTTP ${status}).`, false)
  if (status === 401 || status === 403) {
    return new TransferError(
      `The server refused access (HTTP ${status}); gated Hugging Face models need an access token in Settings.`,
      false,
    )
  }
  if (status === 429 || status >= 500) return new TransferError(`The server is busy or failing (HTTP ${status}).`, true)
  return new TransferError(`The server answered HTTP ${status}.`, false)
}

export function networkError(url: string, error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason
  return new TransferError(networkSentence(url, error), true)
}

/** The bytes at the address do not start like a model file. */
export class NotGgufError extends TransferError {
  constructor() {
    super('The address does not serve a GGUF model file.', false)
    this.name = 'NotGgufError'
  }
}

export function notGguf(): TransferError {
  return new NotGgufError()
}

export function writeError(error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOSPC' || code === 'EDQUOT') return new AppError('NOT_ENOUGH_SPACE', DOWNLOAD_DISK_FULL)
  return new TransferError(`The file could not be written (${code ?? String(error)}).`, false)
}
