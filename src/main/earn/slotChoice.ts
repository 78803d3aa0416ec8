import type { SlotChoice } from '../../shared/domain.js'
import type { Engine } from '../engine/engine.js'

/** The most slots a calibration measures: past four, each slot's KV cache costs more than small PCs gain. */
export const MAX_CALIBRATED_SLOTS = 4

/**
 * The slots a miner runs with: the user's setting when there is one, otherwise the count calibrated for
 * this PC and model. A calibration a chat or an API request cancelled leaves one slot for this run (it is
 * measured again at the next start); null when `signal` (Stop) ended it.
 */
export async function chooseSlots(
  engine: Pick<Engine, 'calibrateSlots'>,
  setting: number | null,
  signal: AbortSignal,
  onMeasuring?: () => void,
): Promise<SlotChoice | null> {
  if (setting !== null) return { slots: setting, source: 'setting', measurements: [] }
  const calibrated = (await engine.calibrateSlots?.(MAX_CALIBRATED_SLOTS, signal, onMeasuring)) ?? null
  if (signal.aborted) return null
  if (!calibrated) return { slots: 1, source: 'unmeasured', measurements: [] }
  return { slots: calibrated.slots, source: 'calibrated', measurements: calibrated.measurements }
}
