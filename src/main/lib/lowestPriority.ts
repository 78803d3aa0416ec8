import { setPriority } from 'node:os'
import { isMainThread } from 'node:worker_threads'

/**
 * Puts the calling worker thread at the lowest CPU priority, so the host's event loop and the engine go
 * first whenever they want a core. Only on Linux, where the nice value belongs to the thread; on macOS and
 * Windows it would lower the whole app, so it does nothing there. True when it lowered it.
 */
export function lowerThisThreadsPriority(): boolean {
  if (isMainThread || process.platform !== 'linux') return false
  try {
    setPriority(19)
    return true
  } catch {
    return false
  }
}
