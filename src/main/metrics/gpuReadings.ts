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

/** Where GPU readings come from; null when this machine has no such tool (then no GPU series exist), [] when a read failed. */
export type GpuProbe = () => Promise<GpuReading[] | null>

const QUERY = '--query-gpu=index,temperature.gpu,power.draw,memory.used,memory.total'
const MIB = 1024 * 1024

/** `nvidia-smi`, if installed: one short call, killed after `timeoutMs`. */
export function nvidiaSmiProbe(timeoutMs = 2000, command = 'nvidia-smi'): GpuProbe {
  return () =>
    new Promise((resolve) => {
      execFile(command, [QUERY, '--format=csv,noheader,nounits'], { timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
        if (!error) return resolve(parseNvidiaSmi(stdout))
        resolve((error as NodeJS.ErrnoException).code === 'ENOENT' ? null : [])
      })
    })
}

/** Parses `nvidia-smi --format=csv,noheader,nounits`; "[N/A]" and "[Not Supported]" become null. */
export function parseNvidiaSmi(text: string): GpuReading[] {
  return text
    .split('\n')
    .map((line) => line.split(',').map((cell) => cell.trim()))
    .filter((cells) => cells.length === 5 && /^\d+$/.test(cells[0]!))
    .map(([index, temperature, power, used, total]) => ({
      index: index!,
      temperatureCelsius: numberOrNull(temperature),
      powerWatts: numberOrNull(power),
      memoryUsedBytes: scaled(used, MIB),
      memoryTotalBytes: scaled(total, MIB),
    }))
}

function numberOrNull(cell: string | undefined): number | null {
  const value = Number(cell)
  return cell !== undefined && cell !== '' && Number.isFinite(value) ? value : null
}

function scaled(cell: string | undefined, factor: number): number | null {
  const value = numberOrNull(cell)
  return value === null ? null : value * factor
}

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
