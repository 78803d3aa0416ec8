import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { rename, rm, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import type { CatalogEntry, DownloadSnapshot } from '../../shared/models.js'
import { AppError } from '../../shared/result.js'
import { createBackoff } from '../../worker/backoff.js'
import type { DownloadRecord, ModelsRepository } from '../store/modelsRepository.js'
import { DEFAULT_PARTS, downloadToFile, type PartsPolicy } from './downloadTransfer.js'
import { DOWNLOAD_DISK_FULL, probeRemoteFile, TransferError, type TransferResult } from './httpTransfer.js'
import type { HashPlace } from './hashWorker.js'
import { resolveModelSource } from './modelSource.js'
import { partReceivedBytes, removePart } from './rangedTransfer.js'

/** Downloads at once; more wait in the queue (one fast transfer beats two competing ones). */
const PARALLEL_DOWNLOADS = 1
/** Network failures in a row before a download is marked failed (each waits longer, up to 30 s). */
const MAX_RETRIES = 6
/** Progress events at most this often per download. */
const PROGRESS_INTERVAL_MS = 250
/** Space left free after a download, so the disk is never filled to the last byte. */
const DISK_MARGIN_BYTES = 256 * 1024 * 1024
/** How often the free space is checked again while bytes arrive. */
const SPACE_CHECK_EVERY_BYTES = 64 * 1024 * 1024

/** What the manager needs around it; each is replaceable in tests. */
export interface DownloadManagerOptions {
  repo: ModelsRepository
  modelsDir: string
  catalog: readonly CatalogEntry[]
  /** Registers a finished, verified file; returns the new model id. */
  register(download: DownloadRecord, path: string, result: TransferResult): Promise<string>
  /** Called with the whole queue whenever it changes (throttled for progress). */
  onChange(downloads: DownloadSnapshot[]): void
  /** Extra request headers for a URL (a Hugging Face token for huggingface.co). */
  headersFor?: (url: string) => Record<string, string>
  freeBytes?: (dir: string) => Promise<number>
  /** How many bytes arrive between two free-space checks (64 MB; tests make it small). */
  spaceCheckEveryBytes?: number
  fetch?: typeof fetch
  /** The Hugging Face endpoint `hf:` URIs resolve against (tests point it at a local server). */
  hfEndpoint?: string
  backoff?: { initialMs: number; maxMs: number }
  /** When and how a file comes in parallel ranged parts (DEFAULT_PARTS; tests use small files and segments). */
  parts?: PartsPolicy
  /** Where the sha256 is computed (a worker thread; the bench compares). */
  hashPlace?: HashPlace
  /**
   * True (the app): take over the queue left by the last run. False (a one-off CLI command next to a running
   * app): run only the downloads this instance queues.
   */
  resumeQueue?: boolean
  log?: (line: string) => void
}

interface Active {
  controller: AbortController
  done: Promise<void>
}

interface Live {
  bytesPerSecond: number
  etaSeconds: number | null
  retries: number
  modelId: string | null
  samples: Array<{ at: number; bytes: number }>
  lastEmit: number
  /** A state the database could not take (a full disk); shown until a later write succeeds. */
  unsaved: DownloadChange | null
}

type DownloadChange = Parameters<ModelsRepository['updateDownload']>[1]

/**
 * The download queue: resumable (a partial file survives pause, errors and restarts), retried with backoff,
 * checked for disk space before the first byte, verified by sha256 before the model is registered.
 */
export class DownloadManager {
  private readonly active = new Map<string, Active>()
  private readonly live = new Map<string, Live>()
  private readonly own = new Set<string>()
  private closed = false

  constructor(private readonly options: DownloadManagerOptions) {
    if (options.resumeQueue === false) return
    // Anything in flight when the app last stopped (closed, killed) continues from its partial file.
    // On a full disk these writes fail; the app still starts and the queue is tidied on a later start.
    for (const download of options.repo.listDownloads()) {
      if (download.state === 'done' || download.state === 'cancelled') {
        try {
          options.repo.removeDownload(download.id)
        } catch (error) {
          this.options.log?.(`the download queue could not be saved (${error instanceof Error ? error.message : String(error)})`)
        }
      } else if (download.state === 'downloading' || download.state === 'verifying') {
        this.persist(download.id, { state: 'queued' })
      }
    }
  }

  /** Starts whatever is queued (after the app started). */
  start(): void {
    this.pump()
  }

  list(): DownloadSnapshot[] {
    return this.options.repo.listDownloads().map((download) => this.toSnapshot(download))
  }

  /** Queues a download of a catalog id, an `hf:` URI or an http(s) URL. */
  enqueue(input: string, sha256?: string | null): DownloadSnapshot {
    const resolved = resolveModelSource(input, this.options.catalog, sha256)
    const clash = this.options.repo
      .listDownloads()
      .find((d) => d.fileName === resolved.fileName && d.state !== 'done' && d.state !== 'cancelled')
    if (clash && clash.source === resolved.source && (clash.state === 'paused' || clash.state === 'failed')) {
      this.own.add(clash.id)
      return this.resume(clash.id)
    }
    if (clash) throw new AppError('BUSY', `${resolved.fileName} is already in the download queue.`)
    const registered = this.options.repo.findModelByPath(this.finalPath(resolved.fileName))
    if (registered && existsSync(registered.path)) {
      throw new AppError('BUSY', `${resolved.fileName} is already downloaded (model "${registered.id}").`)
    }
    // A registration whose file has gone is stale: downloading the file again replaces it.
    if (registered) this.options.repo.removeModel(registered.id)
    const download = this.options.repo.addDownload({
      id: randomUUID(),
      source: resolved.source,
      catalogId: resolved.catalogId,
      fileName: resolved.fileName,
      expectedSha256: resolved.expectedSha256,
    })
    this.own.add(download.id)
    this.emit()
    this.pump()
    return this.toSnapshot(download)
  }

  /** Stops a download and keeps its partial file, so resuming continues where it stopped. */
  async pause(id: string): Promise<DownloadSnapshot> {
    const download = this.require(id)
    if (download.state === 'queued' || download.state === 'failed') {
      this.persist(id, { state: 'paused' })
    } else if (download.state === 'downloading') {
      await this.stopActive(id, 'paused')
    }
    this.emit()
    return this.toSnapshot(this.require(id))
  }

  /** Queues a paused or failed download again; it continues from its partial file. */
  resume(id: string): DownloadSnapshot {
    const download = this.require(id)
    if (download.state === 'paused' || download.state === 'failed') {
      this.persist(id, { state: 'queued', error: null })
      this.emit()
      this.pump()
    }
    return this.toSnapshot(this.require(id))
  }

  /** Stops a download for good and deletes its partial file. */
  async cancel(id: string): Promise<void> {
    const download = this.require(id)
    if (this.active.has(id)) await this.stopActive(id, 'cancelled')
    await removePart(this.partPath(download.fileName))
    this.options.repo.removeDownload(id)
    this.live.delete(id)
    this.emit()
    this.pump()
  }

  /** Stops all transfers, keeping partial files and queue states for the next start. */
  async close(): Promise<void> {
    this.closed = true
    const running = [...this.active.entries()]
    for (const [, entry] of running) entry.controller.abort('closing')
    await Promise.all(running.map(([, entry]) => entry.done))
  }

  private pump(): void {
    if (this.closed) return
    const queued = this.options.repo
      .listDownloads()
      .map((d) => ({ ...d, ...this.live.get(d.id)?.unsaved }))
      .filter((d) => d.state === 'queued' && (this.options.resumeQueue !== false || this.own.has(d.id)))
    for (const download of queued) {
      if (this.active.size >= PARALLEL_DOWNLOADS) return
      const controller = new AbortController()
      const done = this.run(download, controller.signal)
        .catch((error: unknown) =>
          this.options.log?.(`download of ${download.fileName} stopped: ${error instanceof Error ? error.message : String(error)}`),
        )
        .finally(() => {
          this.active.delete(download.id)
          this.pump()
        })
      this.active.set(download.id, { controller, done })
    }
  }

  private async stopActive(id: string, reason: 'paused' | 'cancelled'): Promise<void> {
    const entry = this.active.get(id)
    if (!entry) return
    entry.controller.abort(reason)
    await entry.done
  }

  private async run(download: DownloadRecord, signal: AbortSignal): Promise<void> {
    const part = this.partPath(download.fileName)
    const live = this.liveOf(download.id)
    live.retries = 0
    this.persist(download.id, { state: 'downloading', error: null })
    this.emit()
    const backoff = createBackoff({ initialMs: this.options.backoff?.initialMs ?? 1000, maxMs: this.options.backoff?.maxMs ?? 30_000 })
    try {
      const url = this.urlOf(download)
      const headers = this.options.headersFor?.(url) ?? {}
      const remote = await this.withRetries(() => probeRemoteFile(url, headers, signal, this.options.fetch), backoff, download.id, signal)
      backoff.reset()
      const expected = download.expectedSha256 ?? remote.sha256
      this.persist(download.id, { totalBytes: remote.sizeBytes, expectedSha256: expected })
      await this.checkDiskSpace(download.fileName, remote.sizeBytes, part)

      const result = await this.withRetries(
        () =>
          downloadToFile({
            url,
            partPath: part,
            headers,
            signal,
            remote,
            parts: this.options.parts ?? DEFAULT_PARTS,
            onPartRetry: (why) => this.options.log?.(`download of ${download.fileName}: ${why}`),
            hashPlace: this.options.hashPlace,
            fetch: this.options.fetch,
            onBytes: (received, total) => this.progress(download.id, received, total),
            checkSpace: (received, total) => this.checkSpaceWhileArriving(download.fileName, received, total),
            spaceCheckEveryBytes: this.options.spaceCheckEveryBytes ?? SPACE_CHECK_EVERY_BYTES,
          }),
        backoff,
        download.id,
        signal,
      )
      this.persist(download.id, { state: 'verifying', receivedBytes: result.sizeBytes, totalBytes: result.sizeBytes })
      this.emit()
      if (expected && expected !== result.sha256) {
        await removePart(part)
        throw new TransferError(
          `The downloaded file is damaged (sha256 ${result.sha256.slice(0, 12)}… instead of ${expected.slice(0, 12)}…); it was deleted. Try again.`,
          false,
        )
      }
      // A cancel or pause that arrived while the last bytes were hashed wins over registering the model.
      if (signal.aborted) throw signal.reason
      const finalPath = this.finalPath(download.fileName)
      await rename(part, finalPath)
      live.modelId = await this.options.register(download, finalPath, result).catch(async (error: unknown) => {
        await rm(finalPath, { force: true })
        throw error
      })
      this.persist(download.id, { state: 'done' })
      this.options.log?.(`downloaded ${download.fileName} (${result.sizeBytes} bytes, sha256 ${result.sha256})`)
    } catch (error) {
      if (signal.aborted) {
        const reason = signal.reason as string
        if (reason !== 'cancelled') this.persist(download.id, { state: reason === 'paused' ? 'paused' : 'queued' })
      } else {
        const message = error instanceof TransferError || error instanceof AppError ? error.message : String(error)
        // Out of space, it waits for the user: resuming by itself would only fill the disk again.
        const diskFull = error instanceof AppError && error.code === 'NOT_ENOUGH_SPACE'
        this.persist(download.id, { state: diskFull ? 'paused' : 'failed', error: message })
        this.options.log?.(`download of ${download.fileName} ${diskFull ? 'paused' : 'failed'}: ${message}`)
      }
    } finally {
      live.samples = []
      live.bytesPerSecond = 0
      live.etaSeconds = null
      this.emit()
    }
  }

  private async withRetries<T>(
    attempt: () => Promise<T>,
    backoff: ReturnType<typeof createBackoff>,
    id: string,
    signal: AbortSignal,
  ): Promise<T> {
    for (;;) {
      try {
        return await attempt()
      } catch (error) {
        if (signal.aborted || !(error instanceof TransferError) || !error.retryable) throw error
        const live = this.liveOf(id)
        if (live.retries >= MAX_RETRIES) {
          throw new TransferError(`${error.message} Gave up after ${MAX_RETRIES} attempts; Retry continues where it stopped.`, false)
        }
        live.retries++
        await this.countDown(id, error.message, live.retries, backoff.next(), signal)
        this.persist(id, { error: null })
      }
    }
  }

  /** Waits before the next attempt, saying why and when it comes ("Retrying in 8 s, attempt 3 of 6"), each second. */
  private async countDown(id: string, why: string, attempt: number, waitMs: number, signal: AbortSignal): Promise<void> {
    for (let left = waitMs; left > 0; left -= 1000) {
      this.persist(id, { error: `${why} Retrying in ${Math.ceil(left / 1000)} s, attempt ${attempt} of ${MAX_RETRIES}.` })
      this.emit()
      await sleep(Math.min(1000, left), signal)
    }
    this.persist(id, { error: `${why} Trying again (attempt ${attempt} of ${MAX_RETRIES})…` })
    this.emit()
  }

  private async checkDiskSpace(fileName: string, total: number | null, part: string): Promise<void> {
    await this.checkSpaceWhileArriving(fileName, await partReceivedBytes(part), total)
  }

  /** Refuses to go on unless the rest of the file (or, of unknown size, the margin) still fits. */
  private async checkSpaceWhileArriving(fileName: string, have: number, total: number | null): Promise<void> {
    const free = await (this.options.freeBytes ?? freeBytesOf)(this.options.modelsDir)
    if (total === null) {
      if (free < DISK_MARGIN_BYTES) throw new AppError('NOT_ENOUGH_SPACE', DOWNLOAD_DISK_FULL)
      return
    }
    const needed = Math.max(0, total - have) + DISK_MARGIN_BYTES
    if (free < needed) {
      throw new AppError(
        'NOT_ENOUGH_SPACE',
        `Not enough disk space for ${fileName}: it needs ${gb(total - have)} GB plus ${gb(DISK_MARGIN_BYTES)} GB to spare, and ${gb(free)} GB is free in ${this.options.modelsDir}.`,
      )
    }
  }

  private progress(id: string, received: number, total: number | null): void {
    const live = this.liveOf(id)
    const now = performance.now()
    live.samples.push({ at: now, bytes: received })
    while (live.samples.length > 2 && now - live.samples[0]!.at > 3000) live.samples.shift()
    const first = live.samples[0]!
    const elapsed = (now - first.at) / 1000
    live.bytesPerSecond = elapsed > 0.2 ? (received - first.bytes) / elapsed : live.bytesPerSecond
    live.etaSeconds = total !== null && live.bytesPerSecond > 0 ? Math.ceil((total - received) / live.bytesPerSecond) : null
    if (now - live.lastEmit < PROGRESS_INTERVAL_MS && received !== total) return
    live.lastEmit = now
    // Bytes arriving end whatever the last retry said.
    this.persist(id, { receivedBytes: received, totalBytes: total, error: null })
    this.emit()
  }

  /**
   * Saves a change to the queue. On a full disk SQLite cannot take it either: the change is kept in memory
   * (and shown) instead of throwing out of the transfer, and saved with the next write that succeeds.
   */
  private persist(id: string, change: DownloadChange): void {
    const live = this.liveOf(id)
    const merged = { ...live.unsaved, ...change }
    try {
      this.options.repo.updateDownload(id, merged)
      live.unsaved = null
    } catch (error) {
      live.unsaved = merged
      this.options.log?.(`the download queue could not be saved (${error instanceof Error ? error.message : String(error)})`)
    }
  }

  private emit(): void {
    this.options.onChange(this.list())
  }

  private liveOf(id: string): Live {
    let live = this.live.get(id)
    if (!live) {
      live = { bytesPerSecond: 0, etaSeconds: null, retries: 0, modelId: null, samples: [], lastEmit: 0, unsaved: null }
      this.live.set(id, live)
    }
    return live
  }

  private toSnapshot(saved: DownloadRecord): DownloadSnapshot {
    const live = this.live.get(saved.id)
    const download = { ...saved, ...live?.unsaved }
    return {
      id: download.id,
      source: download.source,
      catalogId: download.catalogId,
      fileName: download.fileName,
      state: download.state,
      receivedBytes: download.receivedBytes,
      totalBytes: download.totalBytes,
      bytesPerSecond: live?.bytesPerSecond ?? 0,
      etaSeconds: live?.etaSeconds ?? null,
      retries: live?.retries ?? 0,
      error: download.error,
      modelId: live?.modelId ?? null,
      createdAt: download.createdAt,
    }
  }

  private require(id: string): DownloadRecord {
    const download = this.options.repo.getDownload(id)
    if (!download) throw new AppError('NOT_FOUND', 'That download is no longer in the queue.')
    return { ...download, ...this.live.get(id)?.unsaved }
  }

  private urlOf(download: DownloadRecord): string {
    const resolved = resolveModelSource(download.source, this.options.catalog)
    const endpoint = this.options.hfEndpoint
    return endpoint ? resolved.url.replace(/^https:\/\/huggingface\.co/, endpoint.replace(/\/$/, '')) : resolved.url
  }

  private partPath(fileName: string): string {
    return join(this.options.modelsDir, `${fileName}.part`)
  }

  private finalPath(fileName: string): string {
    return join(this.options.modelsDir, fileName)
  }
}

async function freeBytesOf(dir: string): Promise<number> {
  const info = await statfs(dir)
  return info.bavail * info.bsize
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error)
      return
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason as Error)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

function gb(bytes: number): string {
  return (bytes / 1e9).toFixed(bytes < 1e9 ? 2 : 1)
}
