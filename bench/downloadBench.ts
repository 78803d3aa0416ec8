import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { DownloadManager } from '../src/main/models/downloadManager.js'
import { openDatabase } from '../src/main/store/database.js'
import { ModelsRepository } from '../src/main/store/modelsRepository.js'
import { startFileServer } from '../tests/support/fileServer.js'
import { median, metric, type Metric } from './metrics.js'

const FILE_MB = 256
const ROUNDS = 3

/**
 * Model download throughput over loopback: the app's downloader (resume bookkeeping, sha256 while the bytes
 * arrive, throttled progress events) against a plain streamed copy of the same file from the same server.
 * Also the CPU time spent per MB on progress reporting (queue snapshot + the JSON a transport would send).
 */
export async function downloadBench(cache: string): Promise<Metric[]> {
  mkdirSync(cache, { recursive: true })
  const source = join(cache, `download-bench-${FILE_MB}mb.gguf`)
  if (!existsWithSize(source, FILE_MB * 1024 * 1024)) {
    const body = randomBytes(FILE_MB * 1024 * 1024)
    body.write('GGUF', 0, 'latin1')
    writeFileSync(source, body)
  }
  const server = await startFileServer({ 'bench.gguf': source })
  const work = mkdtempSync(join(tmpdir(), 'gridforge-dl-bench-'))
  const plain: number[] = []
  const app: number[] = []
  let progressCpuMs = 0
  let progressEvents = 0
  try {
    for (let round = 0; round < ROUNDS; round++) {
      plain.push(await timed(() => plainCopy(server.url('bench.gguf'), join(work, 'plain.bin'))))
      rmSync(join(work, 'plain.bin'), { force: true })
      const db = openDatabase(join(work, `round-${round}.db`))
      const dir = mkdtempSync(join(work, 'models-'))
      const manager = new DownloadManager({
        repo: new ModelsRepository(db),
        modelsDir: dir,
        catalog: [],
        register: async () => 'bench',
        onChange: (downloads) => {
          const started = process.cpuUsage()
          JSON.stringify({ event: 'models.downloads', payload: downloads })
          const used = process.cpuUsage(started)
          progressCpuMs += (used.user + used.system) / 1000
          progressEvents++
        },
      })
      const ms = await timed(async () => {
        const { id } = manager.enqueue(server.url('bench.gguf'))
        for (;;) {
          const state = manager.list().find((d) => d.id === id)?.state
          if (state === 'done') return
          if (state === 'failed') throw new Error(manager.list().find((d) => d.id === id)?.error ?? 'download failed')
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
      })
      app.push(ms)
      await manager.close()
      db.close()
      rmSync(dir, { recursive: true, force: true })
    }
  } finally {
    await server.close()
    rmSync(work, { recursive: true, force: true })
  }
  const mb = FILE_MB * 1.048576
  const plainMbps = mb / (median(plain) / 1000)
  const appMbps = mb / (median(app) / 1000)
  return [
    metric('download.plain_stream_copy', plainMbps, 'MB/s', undefined, `${FILE_MB} MiB over loopback, median of ${ROUNDS}`),
    metric('download.app', appMbps, 'MB/s', undefined, 'resumable, sha256 inline, progress events'),
    metric('download.app_vs_plain_copy', appMbps / plainMbps, 'ratio', '>= 0.8'),
    metric('download.progress_cpu_per_mb', progressCpuMs / (mb * ROUNDS), 'ms/MB', undefined, `${progressEvents} events`),
  ]
}

async function plainCopy(url: string, to: string): Promise<void> {
  const response = await fetch(url)
  if (!response.body) throw new Error('no body')
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(to))
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now()
  await run()
  return performance.now() - started
}

function existsWithSize(path: string, size: number): boolean {
  try {
    return statSync(path).size === size
  } catch {
    return false
  }
}
