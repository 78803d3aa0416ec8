import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { dirname } from 'node:path'
import { z } from 'zod'

/** Aggregate generated tokens per second with `slots` sequences generating at once. */
export interface SlotMeasurement {
  slots: number
  tokensPerSecond: number
}

/**
 * A larger slot count must beat the best smaller one by this much to be chosen: less gain is within
 * what a shared machine's noise does to a short run, and every slot costs its KV cache and makes each
 * job slower.
 */
export const MIN_GAIN = 1.1

/** Slot counts a calibration tries: powers of two up to the most the memory allows. */
export function slotCandidates(maxSlots: number): number[] {
  const counts: number[] = []
  for (let slots = 1; slots <= Math.max(1, maxSlots); slots *= 2) counts.push(slots)
  return counts
}

/** The slot count with the highest aggregate tokens/s, preferring fewer slots unless more clearly win. */
export function bestSlots(measurements: readonly SlotMeasurement[]): number {
  let best: SlotMeasurement | null = null
  for (const measured of [...measurements].sort((a, b) => a.slots - b.slots)) {
    if (!best || measured.tokensPerSecond >= best.tokensPerSecond * MIN_GAIN) best = measured
  }
  return best?.slots ?? 1
}

/**
 * How many slots the memory the model leaves can hold: each slot is its own KV cache (`perSlotBytes`,
 * from node-llama-cpp's GGUF insights), and `reserveBytes` stays free for the rest of the PC.
 */
export function slotsWithinMemory(options: { freeBytes: number; perSlotBytes: number; reserveBytes: number; limit: number }): number {
  const room = options.freeBytes - options.reserveBytes
  if (options.perSlotBytes <= 0) return Math.max(1, options.limit)
  return Math.max(1, Math.min(options.limit, Math.floor(room / options.perSlotBytes)))
}

/** What identifies a calibration: the same model file on the same machine and engine settings. */
export interface CalibrationKey {
  modelPath: string
  modelBytes: number
  modelModifiedMs: number
  threads: number
  gpu: string | null
  contextSize: number
}

/** The cache key: the model file and the machine (CPU model and count), so a copied data folder calibrates again. */
export function calibrationKey(key: CalibrationKey, cpu = machineName()): string {
  return createHash('sha256')
    .update(JSON.stringify({ ...key, cpu }))
    .digest('hex')
}

function machineName(): string {
  const all = cpus()
  return `${all[0]?.model ?? 'unknown'} x${all.length}`
}

const cachedCalibration = z.object({
  slots: z.number().int().positive(),
  measurements: z.array(z.object({ slots: z.number().int().positive(), tokensPerSecond: z.number().nonnegative() })),
  measuredAt: z.string(),
})
const cacheFile = z.record(z.string(), cachedCalibration)

export type CachedCalibration = z.infer<typeof cachedCalibration>

/**
 * Calibrations by key in one JSON file of the data folder. A file that cannot be read or parsed is
 * treated as empty (the calibration simply runs again), never as an error the user has to handle.
 */
export class SlotCalibrationCache {
  constructor(private readonly file: string) {}

  async get(key: string): Promise<CachedCalibration | null> {
    return (await this.readAll())[key] ?? null
  }

  async put(key: string, value: CachedCalibration): Promise<void> {
    const all = await this.readAll()
    all[key] = value
    await mkdir(dirname(this.file), { recursive: true })
    const temporary = `${this.file}.${process.pid}.tmp`
    await writeFile(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 })
    await rename(temporary, this.file)
  }

  private async readAll(): Promise<Record<string, CachedCalibration>> {
    try {
      const parsed = cacheFile.safeParse(JSON.parse(await readFile(this.file, 'utf8')))
      return parsed.success ? parsed.data : {}
    } catch {
      return {}
    }
  }
}

/**
 * The slot count for this model on this machine: the cached calibration when there is one, otherwise
 * `measure` (cancellable: a run that was aborted is not cached and yields null).
 */
export async function calibratedSlots(
  cache: SlotCalibrationCache,
  key: string,
  measure: () => Promise<SlotMeasurement[] | null>,
  now: () => Date = () => new Date(),
): Promise<{ slots: number; measurements: SlotMeasurement[]; cached: boolean } | null> {
  const known = await cache.get(key)
  if (known) return { slots: known.slots, measurements: known.measurements, cached: true }
  const measurements = await measure()
  if (!measurements || measurements.length === 0) return null
  const slots = bestSlots(measurements)
  await cache.put(key, { slots, measurements, measuredAt: now().toISOString() })
  return { slots, measurements, cached: false }
}
