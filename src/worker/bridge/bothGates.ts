import type { JobGate } from '../ports.js'

/**
 * One gate open only while both are: the app's mining policies and a bridged server's health. The
 * reason is the first closed gate's, so a paused miner says whether a policy or the server holds it.
 */
export function bothGates(first: JobGate, second: JobGate): JobGate {
  return {
    isOpen: () => first.isOpen() && second.isOpen(),
    async whenOpen(signal) {
      while (!signal?.aborted && !(first.isOpen() && second.isOpen())) {
        await first.whenOpen(signal)
        await second.whenOpen(signal)
      }
    },
    onClose(listener) {
      const offFirst = first.onClose(listener)
      const offSecond = second.onClose(listener)
      return () => {
        offFirst()
        offSecond()
      }
    },
    reason: () => (first.isOpen() ? null : (first.reason?.() ?? null)) ?? (second.isOpen() ? null : (second.reason?.() ?? null)),
  }
}
