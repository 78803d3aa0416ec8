import { execFile } from 'node:child_process'

/** One GPU's sensors at one moment; a field the tool did not report is null. */
export interface GpuReading {
  temperatureC: number
  powerW: number | null
  memoryUsedMiB: number | null
}

/** Where GPU readings come from (nvidia-smi, rocm-smi, a fake in tests). Null: no reading now; never throws. */
export interface GpuReader {
  read(): Promise<GpuReading[] | null>
}

/** A reader that does not answer within this is abandoned (its process killed): a hung driver must not hold mining. */
export const GPU_READ_TIMEOUT_MS = 3000

/** Runs a program and resolves with its stdout, or null when it is missing, fails or takes too long. */
export type RunProgram = (file: string, args: string[], timeoutMs: number) => Promise<string | null>

export const runProgram: RunProgram = (file, args, timeoutMs) =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', windowsHide: true, maxBuffer: 64 * 1024 }, (error, stdout) =>
      resolve(error ? null : String(stdout)),
    )
  })

const NVIDIA_ARGS = ['--query-gpu=temperature.gpu,power.draw,memory.used', '--format=csv,noheader,nounits']

/** `nvidia-smi --query-gpu=temperature.gpu,power.draw,memory.used --format=csv,noheader,nounits`: one line per GPU. */
export function parseNvidiaSmi(output: string): GpuReading[] {
  const readings: GpuReading[] = []
  for (const line of output.split(/\r?\n/)) {
    const [temperature, power, memory] = line.split(',').map((field) => field.trim())
    const temperatureC = sensor(temperature)
    if (temperatureC === null) continue
    readings.push({ temperatureC, powerW: sensor(power), memoryUsedMiB: sensor(memory) })
  }
  return readings
}

/** `rocm-smi --showtemp --showpower --showmeminfo vram --json`: one object per card, fields named in words. */
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
    if (!card.startsWith('card') || !fields || typeof fields !== 'object') continue
    const entries = Object.entries(fields as Record<string, unknown>)
    const field = (pattern: RegExp) => sensor(String(entries.find(([name]) => pattern.test(name))?.[1] ?? ''))
    const temperatureC = field(/temperature.*(edge|junction)/i) ?? field(/temperature/i)
    if (temperatureC === null) continue
    const usedBytes = field(/vram total used memory/i)
    readings.push({ temperatureC, powerW: field(/power/i), memoryUsedMiB: usedBytes === null ? null : usedBytes / (1024 * 1024) })
  }
  return readings
}

/** A sensor field: a finite number, or null for "[N/A]", "[Not Supported]" and the like. */
function sensor(field: string | undefined): number | null {
  if (!field) return null
  const value = Number(field)
  return Number.isFinite(value) ? value : null
}

/** nvidia-smi first, then rocm-smi; the one that answered is kept. Time-limited; no tool means no reading. */
export function systemGpuReader(run: RunProgram = runProgram, timeoutMs = GPU_READ_TIMEOUT_MS): GpuReader {
  const tools = [
    { file: 'nvidia-smi', args: NVIDIA_ARGS, parse: parseNvidiaSmi },
    { file: 'rocm-smi', args: ['--showtemp', '--showpower', '--showmeminfo', 'vram', '--json'], parse: parseRocmSmi },
  ]
  let found: (typeof tools)[number] | null = null
  return {
    async read() {
      for (const tool of found ? [found] : tools) {
        const output = await withTimeout(run(tool.file, tool.args, timeoutMs), timeoutMs)
        const readings = output === null ? [] : tool.parse(output)
        if (readings.length > 0) {
          found = tool
          return readings
        }
      }
      return null
    },
  }
}

/** The program's own timeout kills it; this also bounds a runner (a fake, a stuck spawn) that never calls back. */
function withTimeout<T>(promise: Promise<T | null>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms + 500)
    timer.unref?.()
  })
  return Promise.race([promise.catch(() => null), timeout]).finally(() => clearTimeout(timer))
}

/** Readings are not available (tests, machines without a GPU tool). */
export const noGpuReader: GpuReader = { read: async () => null }
