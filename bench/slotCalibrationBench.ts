import { performance } from 'node:perf_hooks'
import type { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { MAX_CALIBRATED_SLOTS } from '../src/main/earn/slotChoice.js'
import { metric, type Metric } from './metrics.js'

/**
 * Issue 20 §2: the slot count a first Start chooses for this PC (a fresh calibration: `engine` must have an empty
 * calibration file), what it measured at each count, how long the Start waited for it, and the worker's own
 * aggregate at the chosen count against the best one `workerTps` holds (same engine, same moment). The
 * calibration takes the fewest slots unless more win by 10 %, so the chosen count should reach ≥ 0.9 of the best.
 */
export async function slotCalibrationRows(
  engine: EngineSupervisor,
  key: string,
  workerTps: ReadonlyMap<number, number>,
): Promise<Metric[]> {
  const started = performance.now()
  const choice = await engine.calibrateSlots(MAX_CALIBRATED_SLOTS)
  const seconds = (performance.now() - started) / 1000
  if (!choice || choice.cached) return [metric(`calibration.${key}.chosen_slots`, null, 'slots', undefined, 'no fresh measurement')]
  const best = Math.max(...workerTps.values())
  const atChosen = workerTps.get(choice.slots) ?? null
  const measured = choice.measurements.map((m) => `${m.slots} → ${m.tokensPerSecond.toFixed(1)}`).join(', ')
  return [
    metric(`calibration.${key}.chosen_slots`, choice.slots, 'slots', undefined, `measured ${measured} tok/s`),
    ...choice.measurements.map((m) => metric(`calibration.${key}.measured_tps.slots${m.slots}`, m.tokensPerSecond, 'tok/s')),
    metric(`calibration.${key}.first_start_wait`, seconds, 's', undefined, 'reload with a sequence per slot + the measurement'),
    metric(
      `calibration.${key}.chosen_vs_best_worker_tps`,
      atChosen === null ? null : atChosen / best,
      'ratio',
      '>= 0.9',
      `worker aggregate at ${choice.slots} slot(s) against the best of ${[...workerTps.keys()].join('/')}`,
    ),
  ]
}
