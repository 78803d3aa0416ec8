import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { DownloadManager, type DownloadManagerOptions } from '../src/main/models/downloadManager.js'
import { DEFAULT_PARTS } from '../src/main/models/downloadTransfer.js'
import { openDatabase } from '../src/main/store/database.js'
import { ModelsRepository } from '../src/main/store/modelsRepository.js'
import { startFileServer } from '../tests/support/fileServer.js'
import { median, metric, type Metric } from './metrics.js'

const FILE_MB = 256
const ROUNDS = 5

/** The app's downloader in the ways it runs, each against the plain copy of the same round. */
const VARIANTS = {
  // One stream, the sha256 in a worker thread (the app, where a server does not serve ranges).
  single: { parts: { ...DEFAULT_PARTS, connections: 1 }, hashPlace: 'worker' },
  // One stream, the sha256 on the thread that receives (reading back what landed): what the worker is measured against.
  single_inline_hash: { parts: { ...DEFAULT_PARTS, connections: 1 }, hashPlace: 'inline' },
  // Parallel ranged parts (the app, where the server serves ranges, as Hugging Face's CDN does).
  ranged: { parts: DEFAULT_PARTS, hashPlace: 'worker' },
} satisfies Record<string, Pick<DownloadManagerOptions, 'parts' | 'hashPlace'>>
type Variant = keyof typeof VARIANTS

/**
 * Model download throughput over loopback: the app's downloader (resume bookkeeping, sha256 while the bytes
 * arrive, throttled progress events) against a plain streamed copy of the same file from the same server, in
 * the same round, rounds repeated with the order rotated (the machine is shared: each ratio is taken within
 * one round, and the load average is reported). The server runs in this process, as in the first measurement
 * (0.61×), so the thread that receives also serves: hashing there costs twice. Also the receiving thread's own
 * CPU time per MB (Linux), which the load of other processes does not inflate the way it does wall time.
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
  const names = ['plain', ...Object.keys(VARIANTS)] as Array<'plain' | Variant>
  const ms = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<'plain' | Variant, number[]>
  const cpu = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<'plain' | Variant, number[]>
  const allCpu = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<'plain' | Variant, number[]>
  const ratios = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, [] as number[]])) as Record<Variant, number[]>
  const loadBefore = loadavg()[0]!
  let progressCpuMs = 0
  let progressEvents = 0
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = rotate(names, round)
      for (const name of order) {
        const run =
          name === 'plain'
            ? () => plainCopy(server.url('bench.gguf'), join(work, 'plain.bin'))
            : () =>
                appDownload(server.url('bench.gguf'), work, round, VARIANTS[name], (cpuMs) => {
                  progressCpuMs += cpuMs
                  progressEvents++
                })
        const measured = await timed(run)
        ms[name].push(measured.ms)
        if (measured.threadCpuMs !== null) cpu[name].push(measured.threadCpuMs)
        allCpu[name].push(measured.processCpuMs)
        rmSync(join(work, 'plain.bin'), { force: true })
      }
      const plainMs = ms.plain.at(-1)!
      for (const name of Object.keys(VARIANTS) as Variant[]) ratios[name].push(plainMs / ms[name].at(-1)!)
    }
  } finally {
    await server.close()
    rmSync(work, { recursive: true, force: true })
  }
  const mb = FILE_MB * 1.048576
  const mbps = (samples: number[]) => mb / (median(samples) / 1000)
  const cpuPerMb = (samples: number[]) => (samples.length ? median(samples) / mb : null)
  const load = `load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`
  const each = (samples: number[]) => samples.map((r) => r.toFixed(2)).join(', ')
  // What a quiet two-core machine would allow: the receiving thread's CPU time, or all threads' over two cores,
  // whichever is longer. Other processes' load stretches wall time, much less these.
  const cpuBound = (name: 'plain' | Variant) => (cpu[name].length ? Math.max(median(cpu[name]), median(allCpu[name]) / 2) : null)
  const cpuBoundRatio = (name: Variant) => {
    const plain = cpuBound('plain')
    const app = cpuBound(name)
    return plain !== null && app !== null ? plain / app : null
  }
  return [
    metric('download.plain_stream_copy', mbps(ms.plain), 'MB/s', undefined, `${FILE_MB} MiB over loopback, median of ${ROUNDS}; ${load}`),
    metric('download.app', mbps(ms.single), 'MB/s', undefined, 'one stream, sha256 in a worker thread, 512 KiB writes'),
    metric('download.app_vs_plain_copy', median(ratios.single), 'ratio', '>= 0.8', `per round: ${each(ratios.single)}`),
    metric(
      'download.app_inline_hash_vs_plain_copy',
      median(ratios.single_inline_hash),
      'ratio',
      undefined,
      `per round: ${each(ratios.single_inline_hash)}`,
    ),
    metric(
      'download.app_ranged',
      mbps(ms.ranged),
      'MB/s',
      undefined,
      `${DEFAULT_PARTS.connections} connections, ${DEFAULT_PARTS.segmentBytes / 1048576} MiB segments`,
    ),
    metric('download.app_ranged_vs_plain_copy', median(ratios.ranged), 'ratio', '>= 0.8', `per round: ${each(ratios.ranged)}`),
    metric(
      'download.plain_thread_cpu_per_mb',
      cpuPerMb(cpu.plain),
      'ms/MB',
      undefined,
      `the receiving thread, serving included; all threads ${cpuPerMb(allCpu.plain)?.toFixed(2)}`,
    ),
    metric(
      'download.app_thread_cpu_per_mb',
      cpuPerMb(cpu.single),
      'ms/MB',
      undefined,
      `all threads ${cpuPerMb(allCpu.single)?.toFixed(2)}`,
    ),
    metric(
      'download.app_inline_hash_thread_cpu_per_mb',
      cpuPerMb(cpu.single_inline_hash),
      'ms/MB',
      undefined,
      `all threads ${cpuPerMb(allCpu.single_inline_hash)?.toFixed(2)}`,
    ),
    metric(
      'download.app_ranged_thread_cpu_per_mb',
      cpuPerMb(cpu.ranged),
      'ms/MB',
      undefined,
      `all threads ${cpuPerMb(allCpu.ranged)?.toFixed(2)}`,
    ),
    metric(
      'download.app_vs_plain_copy_cpu_bound',
      cpuBoundRatio('single'),
      'ratio',
      undefined,
      'from CPU time: max(receiving thread, all threads / 2)',
    ),
    metric('download.app_inline_hash_vs_plain_copy_cpu_bound', cpuBoundRatio('single_inline_hash'), 'ratio'),
    metric('download.app_ranged_vs_plain_copy_cpu_bound', cpuBoundRatio('ranged'), 'ratio'),
    metric('download.progress_cpu_per_mb', progressCpuMs / (mb * ROUNDS * 3), 'ms/MB', undefined, `${progressEvents} events`),
  ]
}

async function appDownload(
  url: string,
  work: string,
  round: number,
  variant: Pick<DownloadManagerOptions, 'parts' | 'hashPlace'>,
  onProgressCpu: (ms: number) => void,
): Promise<void> {
  const db = openDatabase(join(work, `round-${round}-${Math.random().toString(36).slice(2)}.db`))
  const dir = mkdtempSync(join(work, 'models-'))
  const manager = new DownloadManager({
    repo: new ModelsRepository(db),
    modelsDir: dir,
    catalog: [],
    register: async () => 'bench',
    ...variant,
    onChange: (downloads) => {
      const started = process.cpuUsage()
      JSON.stringify({ event: 'models.downloads', payload: downloads })
      const used = process.cpuUsage(started)
      onProgressCpu((used.user + used.system) / 1000)
    },
  })
  try {
    const { id } = manager.enqueue(url)
    for (;;) {
      const download = manager.list().find((d) => d.id === id)
      if (download?.state === 'done') return
      if (download?.state === 'failed') throw new Error(download.error ?? 'download failed')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    await manager.close()
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function plainCopy(url: string, to: string): Promise<void> {
  const response = await fetch(url)
  if (!response.body) throw new Error('no body')
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(to))
}

async function timed(run: () => Promise<void>): Promise<{ ms: number; threadCpuMs: number | null; processCpuMs: number }> {
  const cpuBefore = mainThreadCpuMs()
  const processBefore = process.cpuUsage()
  const started = performance.now()
  await run()
  const ms = performance.now() - started
  const processUsed = process.cpuUsage(processBefore)
  const cpuAfter = mainThreadCpuMs()
  return {
    ms,
    threadCpuMs: cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null,
    processCpuMs: (processUsed.user + processUsed.system) / 1000,
  }
}

/** This process's main thread's user + system CPU time (Linux: /proc/self/task/<pid>/stat), else null. */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return null
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}

function existsWithSize(path: string, size: number): boolean {
  try {
    return statSync(path).size === size
  } catch {
    return false
  }
}
