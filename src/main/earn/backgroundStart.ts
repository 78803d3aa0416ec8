import type { ModelChoice, QuickStartSnapshot } from '../../shared/quickStart.js'

/** What starting to earn from outside the window (tray menu, start at login) can use. */
export interface BackgroundStartPorts {
  isMining(): boolean
  modelLoaded(): boolean
  /** Starts the miner on the loaded model; throws with a sentence for the user when it cannot. */
  startMiner(): Promise<unknown>
  /** The model of the last Start earning, kept across restarts; null before the first one. */
  lastChoice(): ModelChoice | null
  /** Runs Start earning (download, load, connect, first job) and resolves with how it ended. */
  runStartEarning(choice: ModelChoice): Promise<QuickStartSnapshot>
}

/** Nothing to tell, or one sentence for a notification: the window may be closed, so a log line is not enough. */
export type BackgroundStartOutcome = { ok: true } | { ok: false; message: string }

export const NO_MODEL_CHOSEN =
  'GridForge does not know which model to earn with yet: open GridForge and press Start earning in the Earn view once.'

/**
 * Starts earning as the Earn view's Start button does: with the loaded model, else with the model of
 * the last Start earning (loading or downloading it first). Never throws.
 */
export async function startEarningInBackground(ports: BackgroundStartPorts): Promise<BackgroundStartOutcome> {
  try {
    if (ports.isMining()) return { ok: true }
    if (ports.modelLoaded()) {
      await ports.startMiner()
      return { ok: true }
    }
    const choice = ports.lastChoice()
    if (!choice) return { ok: false, message: NO_MODEL_CHOSEN }
    const ended = await ports.runStartEarning(choice)
    return ended.phase === 'failed' && ended.failure ? { ok: false, message: ended.failure.message } : { ok: true }
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) }
  }
}
