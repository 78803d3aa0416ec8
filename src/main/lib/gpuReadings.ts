import { execFile } from 'node:child_process'

/** One GPU as the machine reports it; a field the tool could not read is null. */
export interface GpuReading {
  /** The tool's GPU index: a bounded label, unlike the card's name. */
  index: string
  temperatureCelsius: number | null
  powerWatts: number | null
  memoryUsedBytes: number | null
  memoryTotalBytes: number | null
}

/**
 * Where GPU readings come from (nvidia-smi, rocm-smi, a fake in tests); never throws. Null: this machine has no
 * GPU tool (then there are no GPU series); []: the tool is there but gave no reading this time (failed, timed out).
 */
export interface GpuReader {
  read(): Promise<GpuReading[] | null>
}

/** A reader that does not answer within this is abandoned (its process killed): a hung driver must not hold mining or a scrape. */
export const GPU_READ_TIMEOUT_MS = 3000

/** What running a program gave: its stdout, or whether it is missing (not installed) or failed (an error, a timeout). */
export type ProgramOutput = { stdout: string } | { missing: boolean }

/** Runs a program; never rejects. */
export type RunProgram = (file: string, args: string[], timeoutMs: number) => Promise<ProgramOutput>

export const runProgram: RunProgram = (file, args, timeoutMs) =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', windowsHide: true, maxBuffer: 64 * 1024 }, (error, stdout) =>
      resolve(error ? { missing: (error as NodeJS.ErrnoException).code === 'ENOENT' } : { stdout: String(stdout) }),
    )
  })

const NVIDIA_ARGS = ['--query-gpu=index,temperature.gpu,power.draw,memory.used,memory.total', '--format=csv,noheader,nounits']
const ROCM_ARGS = ['--showtemp', '--showpower', '--showmeminfo', 'vram', '--json']
const MIB = 1024 * 1024

/** Parses `nvidia-smi --query-gpu=index,temperature.gpu,power.draw,memory.used,memory.total --format=csv,noheader,nounits`; "[N/A]" and "[Not Supported]" become null. */
export function parseNvidiaSmi(text: string): GpuReading[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.split(',').map((cell) => cell.trim()))
    .filter((cells) => cells.length === 5 && /^\d+$/.test(cells[0]!))
    .map(([index, temperature, power, used, total]) => ({
      index: index!,
      temperatureCelsius: sensor(temperature),
      powerWatts: sensor(power),
      memoryUsedBytes: scaled(used, MIB),
      memoryTotalBytes: scaled(total, MIB),
    }))
}

/** `rocm-smi --showtemp --showpower --showmeminfo vram --json`: one object per card ("card0"), fields named in words, memory in bytes. */
export function parseRocmSmi(output: string): GpuReading[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(output)
  } catch {
    return []
  }
  if (!parsed || typeof parsed !== 'object') return []
  const readings: GpuReading[] = []
  for (const [card, fields] of Object.entries(parsed as Record<string, unknown>)) {
    const index = /^card(\d+)$/.exec(card)?.[1]
    if (index === undefined || !fields || typeof fields !== 'object') continue
    const entries = Object.entries(fields as Record<string, unknown>)
    const field = (pattern: RegExp) => sensor(String(entries.find(([name]) => pattern.test(name))?.[1] ?? ''))
    readings.push({
      index,
      temperatureCelsius: field(/temperature.*(edge|junction)/i) ?? field(/temperature/i),
      powerWatts: field(/power/i),
      memoryUsedBytes: field(/vram total used memory/i),
      memoryTotalBytes: field(/vram total memory/i),
    })
  }
  return readings
}

/** A sensor field: a finite number, or null for "[N/A]", "[Not Supported]" and the like. */
function sensor(field: string | undefined): number | null {
  if (!field) return null
  const value = Number(field)
  return Number.isFinite(value) ? value : null
}

function scaled(field: string | undefined, factor: number): number | null {
  const value = sensor(field)
  return value === null ? null : value * factor
}

/** nvidia-smi first, then rocm-smi; the one that answered is kept. Time-limited; no tool installed means null. */
export function systemGpuReader(run: RunProgram = runProgram, timeoutMs = GPU_READ_TIMEOUT_MS): GpuReader {
  const tools = [
    { file: 'nvidia-smi', args: NVIDIA_ARGS, parse: parseNvidiaSmi },
    { file: 'rocm-smi', args: ROCM_ARGS, parse: parseRocmSmi },
  ]
  let found: (typeof tools)[number] | null = null
  return {
    async read() {
      let installed = false
      for (const tool of found ? [found] : tools) {
        const output = await withTimeout(run(tool.file, tool.args, timeoutMs), timeoutMs)
        if ('missing' in output) {
          installed ||= !output.missing
          continue
        }
        installed = true
        const readings = tool.parse(output.stdout)
        if (readings.length > 0) {
          found = tool
          return readings
        }
      }
      return installed ? [] : null
    },
  }
}

/** The program's own timeout kills it; this also bounds a runner (a fake, a stuck spawn) that never calls back. */
function withTimeout(promise: Promise<ProgramOutput>, ms: number): Promise<ProgramOutput> {
  const failed: ProgramOutput = { missing: false }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<ProgramOutput>((resolve) => {
    timer = setTimeout(() => resolve(failed), ms + 500)
    timer.unref?.()
  })
  return Promise.race([promise.catch(() => failed), timeout]).finally(() => clearTimeout(timer))
}

/** Readings are not available (tests, machines without a GPU tool). */
export const noGpuReader: GpuReader = { read: async () => null }

/**
 * Reads at most once per `maxAgeMs`, whatever the scrape rate, and concurrent scrapes share one read: a scrape
 * storm costs one call per interval. A source whose first answer is null (the tool is missing) is not asked again;
 * one that fails (a timeout) gives no reading this time and is asked again later.
 */
export function cachedReading<T>(read: () => Promise<T | null>, maxAgeMs: number, now: () => number = Date.now): () => Promise<T | null> {
  let last: { at: number; value: T | null } | null = null
  let inFlight: Promise<T | null> | null = null
  let absent = false
  return async () => {
    if (absent) return null
    if (last && now() - last.at < maxAgeMs) return last.value
    inFlight ??= read().then(
      (value) => {
        if (value === null && last === null) absent = true
        last = { at: now(), value }
        inFlight = null
        return value
      },
      () => {
        last = { at: now(), value: null }
        inFlight = null
        return null
      },
    )
    return inFlight
  }
}
