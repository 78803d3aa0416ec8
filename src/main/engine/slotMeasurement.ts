import type { SequencePool, SequenceLease } from './sequencePool.js'
import type { SlotMeasurement } from './slotCalibration.js'

/** Tokens each slot generates per count: long enough that the prompt and the start are a small part. */
export const CALIBRATION_TOKENS = 32

/** Generates `tokens` tokens on the lease's sequence and says how many came; stops early on `signal`. */
export type SlotRun = (lease: SequenceLease, tokens: number, signal: AbortSignal) => Promise<number>

/**
 * Aggregate tokens/s of `count` parallel generations through the pool's sequences, for each count in
 * turn (the same batching the worker's slots get). Null when aborted, or when a sequence was not to be
 * had at once: calibration never waits for, or delays, a job or a chat.
 */
export async function measureSlots(
  run: SlotRun,
  pool: SequencePool,
  counts: readonly number[],
  signal: AbortSignal,
  tokens = CALIBRATION_TOKENS,
): Promise<SlotMeasurement[] | null> {
  const measurements: SlotMeasurement[] = []
  for (const slots of counts) {
    if (signal.aborted || pool.inUse > 0 || !(await sequencesBack(pool, slots, signal))) return null
    const leases = []
    for (let i = 0; i < slots; i++) {
      const lease = pool.tryAcquire()
      if (!lease) break
      leases.push(lease)
    }
    try {
      if (leases.length < slots) return null
      const started = performance.now()
      const generated = await Promise.all(
        leases.map(async (lease) => {
          try {
            return await run(lease, tokens, signal)
          } catch (error) {
            // Cancelled before its first token: the library throws the abort rather than stopping.
            if (!signal.aborted) throw error
            return 0
          }
        }),
      )
      if (signal.aborted) return null
      const seconds = (performance.now() - started) / 1000
      measurements.push({ slots, tokensPerSecond: generated.reduce((sum, n) => sum + n, 0) / seconds })
    } finally {
      for (const lease of leases) lease.release()
    }
  }
  return measurements
}

/** Waits briefly for the sequences of the last count: the context takes a handed-back sequence in asynchronously. */
async function sequencesBack(pool: SequencePool, wanted: number, signal: AbortSignal): Promise<boolean> {
  for (let tries = 0; tries < 40 && !signal.aborted; tries++) {
    if (pool.free >= wanted) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return pool.free >= wanted
}
