import { open, rename, rm, truncate, writeFile, readFile } from 'node:fs/promises'
import { setTimeout as delay } from 'node:timers/promises'
import { z } from 'zod'
import { AppError } from '../../shared/result.js'
import { startFileHasher } from './hashWorker.js'
import {
  answerOf,
  contentRange,
  GGUF_MAGIC,
  networkError,
  notGguf,
  NotGgufError,
  sizeOf,
  statusError,
  TransferError,
  writeError,
  type TransferOptions,
  type TransferResult,
} from './httpTransfer.js'
import { PartWriter } from './partWriter.js'

/** How a file is split: `connections` parts at once, each taking the next `segmentBytes` still missing. */
export interface RangedSettings {
  connections: number
  segmentBytes: number
  /** A failed part is asked for again this many times (after `retryDelayMs`, then twice that…) before the download stops. */
  partRetries: number
  retryDelayMs: number
}

export interface RangedTransferOptions extends TransferOptions {
  sizeBytes: number
  settings: RangedSettings
  /** Told when one part is asked for again (the download goes on meanwhile), for the log. */
  onPartRetry?(why: string): void
}

/** The server answered a ranged request with the whole file: it does not serve parts after all. */
export class RangesRefused extends Error {
  constructor() {
    super('The server does not serve parts of the file.')
    this.name = 'RangesRefused'
  }
}

/**
 * Which bytes of the partial file are in: one entry per segment, `[start, end)` with `received` bytes written
 * from `start` on. Kept next to the .part file (the queue's table has no column for it), written after the
 * bytes it describes, so a kill at any moment resumes each segment where its written bytes end.
 */
const planSchema = z.object({
  size: z.number().int().positive(),
  segments: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().positive(), z.number().int().nonnegative()])),
})

interface Segment {
  start: number
  end: number
  received: number
  claimed: boolean
  failures: number
}

/** How often the plan is saved while bytes arrive; a kill re-downloads at most this much of each part. */
const SAVE_EVERY_MS = 500

export const planPathOf = (partPath: string): string => `${partPath}.ranges`

/**
 * Downloads a file of known size as parallel ranged parts into one preallocated file. The sha256 follows the
 * first gap in the file (a worker thread reads back what is complete from the start), so when the last part
 * lands only the parts still ahead of it are left to hash. A part that fails is asked for again from where
 * its bytes end while the others go on; a server that answers a part with the whole file throws
 * RangesRefused, leaving what was complete from the start for one stream to continue.
 */
export async function rangedTransferToFile(options: RangedTransferOptions): Promise<TransferResult> {
  const total = options.sizeBytes
  const segments = await loadPlan(options.partPath, total, options.settings.segmentBytes)
  const file = await open(options.partPath, 'r+')
  // Sparse where the file system allows; the free space is checked as bytes arrive, not reserved here.
  await file.truncate(total).catch(async (error: unknown) => {
    await file.close()
    throw writeError(error)
  })
  const hasher = await startFileHasher(options.partPath, options.hashPlace)
  const stop = new AbortController()
  const signal = AbortSignal.any([options.signal, stop.signal])
  const saver = planSaver(options.partPath, total, segments)
  const receivedBytes = () => segments.reduce((sum, s) => sum + s.received, 0)
  const frontier = () => {
    const gap = segments.find((s) => s.start + s.received < s.end)
    return gap ? gap.start + gap.received : total
  }
  const checkEvery = options.spaceCheckEveryBytes ?? 64 * 1024 * 1024
  let nextSpaceCheck = receivedBytes()
  const spaceCheck = async () => {
    const received = receivedBytes()
    if (!options.checkSpace || received < nextSpaceCheck) return
    nextSpaceCheck = received + checkEvery
    await options.checkSpace(received, total)
  }
  hasher.advanceTo(frontier())
  await saver.save()
  if (options.checkSpace) await spaceCheck()

  const fetchPart = async (segment: Segment) => {
    const from = segment.start + segment.received
    const headers = { ...options.headers, 'accept-encoding': 'identity', range: `bytes=${from}-${segment.end - 1}` }
    const response = await answerOf(options.url, headers, signal, options.fetch)
    if (response.status === 200) {
      await response.body?.cancel()
      throw new RangesRefused()
    }
    if (response.status !== 206 || !response.body) {
      await response.body?.cancel()
      throw statusError(response.status)
    }
    const range = contentRange(response.headers)
    if (!range || range.start !== from || range.end !== segment.end - 1 || (range.size !== null && range.size !== total)) {
      await response.body.cancel()
      // A file that changed size on the server is not this download any more: one stream starts it over.
      if (range?.size !== total) throw new RangesRefused()
      throw new TransferError('The server sent a different part than the one asked for; asking again.', true)
    }
    const writer = new PartWriter(
      file,
      from,
      (end) => {
        segment.received = end - segment.start
        segment.failures = 0
        hasher.advanceTo(frontier())
        options.onBytes(receivedBytes(), total)
        saver.soon()
      },
      writeError,
    )
    let pushed = from
    let head = segment.start === 0 && from < GGUF_MAGIC.length ? Buffer.alloc(0) : null
    try {
      const reader = response.body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        let bytes: Uint8Array = value
        if (head) {
          head = Buffer.concat([head, bytes])
          if (head.length < GGUF_MAGIC.length) continue
          if (!head.subarray(0, GGUF_MAGIC.length).equals(GGUF_MAGIC)) throw notGguf()
          bytes = head
          head = null
        }
        await spaceCheck()
        await writer.push(bytes)
        pushed += bytes.length
      }
      await writer.flush()
    } catch (error) {
      // What did arrive is kept (and planned) for the next try of this part.
      await writer.flush().catch(() => undefined)
      throw error
    }
    if (pushed < segment.end) {
      throw new TransferError(
        `The connection ended early (the part from byte ${segment.start} has ${pushed - segment.start} of ${segment.end - segment.start} bytes); asking again.`,
        true,
      )
    }
  }

  const connection = async () => {
    for (;;) {
      const segment = segments.find((s) => !s.claimed && s.start + s.received < s.end)
      if (!segment || signal.aborted) return
      segment.claimed = true
      try {
        await fetchPart(segment)
      } catch (caught) {
        if (signal.aborted) throw signal.reason
        const error =
          caught instanceof TransferError || caught instanceof AppError || caught instanceof RangesRefused
            ? caught
            : networkError(options.url, caught, signal)
        const partCanRetry = error instanceof TransferError && error.retryable && segment.failures < options.settings.partRetries
        if (!partCanRetry) throw error
        segment.failures++
        options.onPartRetry?.(`${error.message} (attempt ${segment.failures} of ${options.settings.partRetries} for this part)`)
        await delay(options.settings.retryDelayMs * 2 ** (segment.failures - 1), undefined, { signal })
      } finally {
        segment.claimed = false
      }
    }
  }

  const runs = Array.from({ length: Math.max(1, options.settings.connections) }, () =>
    connection().catch((error: unknown) => {
      // The first failure stops the other parts; their bytes so far stay in the plan.
      stop.abort(error)
      throw error
    }),
  )
  const results = await Promise.allSettled(runs)
  await saver.save()
  await file.close()
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed || options.signal.aborted) {
    await hasher.close()
    if (options.signal.aborted) throw options.signal.reason
    const error: unknown = stop.signal.reason ?? failed?.reason
    // A page that is not a model leaves nothing behind.
    if (error instanceof NotGgufError) await removePart(options.partPath)
    throw error
  }
  await rm(planPathOf(options.partPath), { force: true })
  return { sizeBytes: total, sha256: await hasher.digest(total) }
}

/**
 * The bytes of a partial file that are really there: the plan's count for a ranged one (its file is
 * preallocated to full size), the file's size otherwise.
 */
export async function partReceivedBytes(partPath: string): Promise<number> {
  const plan = await readPlan(partPath)
  return plan ? plan.segments.reduce((sum, [, , received]) => sum + received, 0) : sizeOf(partPath)
}

/**
 * Turns a ranged partial file into one a single stream can continue: cut after the bytes complete from the
 * start, plan removed. Parts beyond the first gap are dropped (one stream cannot skip them).
 */
export async function keepCompletePrefix(partPath: string): Promise<void> {
  const plan = await readPlan(partPath)
  if (!plan) return
  const gap = plan.segments.find(([start, end, received]) => start + received < end)
  const complete = gap ? gap[0] + gap[2] : plan.size
  await truncate(partPath, complete).catch(() => undefined)
  await rm(planPathOf(partPath), { force: true })
}

/** Deletes a partial file and its plan. */
export async function removePart(partPath: string): Promise<void> {
  await Promise.all([rm(partPath, { force: true }), rm(planPathOf(partPath), { force: true })])
}

async function readPlan(partPath: string): Promise<z.infer<typeof planSchema> | null> {
  const text = await readFile(planPathOf(partPath), 'utf8').catch(() => null)
  if (text === null) return null
  try {
    const plan = planSchema.safeParse(JSON.parse(text))
    return plan.success ? plan.data : null
  } catch {
    return null
  }
}

/**
 * The segments to fetch: the saved plan when it is for this file, else a new one that keeps whatever a single
 * stream left at the start of the file (created if missing).
 */
async function loadPlan(partPath: string, total: number, segmentBytes: number): Promise<Segment[]> {
  const saved = await readPlan(partPath)
  if (saved && saved.size === total && (await sizeOf(partPath)) === total && covers(saved.segments, total)) {
    return saved.segments.map(([start, end, received]) => ({ start, end, received, claimed: false, failures: 0 }))
  }
  await rm(planPathOf(partPath), { force: true })
  const kept = Math.min(await sizeOf(partPath), total)
  // Fewer bytes than the magic cannot be checked again: start from nothing.
  const prefix = kept >= GGUF_MAGIC.length ? kept : 0
  if (prefix === 0) await writeFile(partPath, '')
  const segments: Segment[] = prefix > 0 ? [{ start: 0, end: prefix, received: prefix, claimed: false, failures: 0 }] : []
  for (let start = prefix; start < total; start += segmentBytes) {
    segments.push({ start, end: Math.min(total, start + segmentBytes), received: 0, claimed: false, failures: 0 })
  }
  return segments
}

/** The segments tile [0, total) in order, each within its bounds (a plan from elsewhere is not trusted). */
function covers(segments: Array<[number, number, number]>, total: number): boolean {
  let at = 0
  for (const [start, end, received] of segments) {
    if (start !== at || end <= start || received > end - start) return false
    at = end
  }
  return at === total
}

/** Saves the plan at most every SAVE_EVERY_MS (and on demand), one write at a time, replacing it whole. */
function planSaver(partPath: string, total: number, segments: Segment[]) {
  const path = planPathOf(partPath)
  let chain: Promise<void> = Promise.resolve()
  let lastSaved = 0
  let pending = false
  const save = (): Promise<void> => {
    pending = false
    lastSaved = performance.now()
    const text = JSON.stringify({ size: total, segments: segments.map((s) => [s.start, s.end, s.received]) })
    // A plan that cannot be written (a full disk) leaves the last one, which only means re-fetching more.
    chain = chain.then(() =>
      writeFile(`${path}.tmp`, text)
        .then(() => rename(`${path}.tmp`, path))
        .catch(() => undefined),
    )
    return chain
  }
  return {
    save,
    soon() {
      if (pending) return
      const wait = SAVE_EVERY_MS - (performance.now() - lastSaved)
      if (wait <= 0) {
        void save()
        return
      }
      pending = true
      setTimeout(() => void (pending && save()), wait).unref()
    },
  }
}
