import type { Clock, JobGate } from '../ports.js'
import { BackendError } from './backendError.js'

/** How often the health gate asks the server whether it still serves. */
export interface HealthIntervals {
  /** While it serves. */
  upMs: number
  /** While it does not (and the least wait after a job saw it fail). */
  downMs: number
}

const DEFAULT_INTERVALS: HealthIntervals = { upMs: 30_000, downMs: 5_000 }

/** What the gate says about the server now. */
export type HealthState = { serving: true } | { serving: false; reason: string }

/**
 * The job gate of a bridged worker: closed until the server is seen serving the model, closed again
 * (with the server's sentence as the reason) when a check or a job finds it gone or overloaded, open once
 * a check passes again. While it is closed the job loop holds no grid session, so it never registers
 * with the grid for a model nobody serves.
 */
export function createBackendHealth(check: () => Promise<void>, clock: Clock, intervals: HealthIntervals = DEFAULT_INTERVALS) {
  let state: HealthState = { serving: false, reason: 'Checking the inference server…' }
  let holdUntil = 0
  let wake = new AbortController()
  const closeListeners = new Set<() => void>()
  const changeListeners = new Set<(state: HealthState) => void>()
  const openWaiters = new Set<() => void>()

  const set = (next: HealthState) => {
    const changed = next.serving !== state.serving || (!next.serving && !state.serving && next.reason !== state.reason)
    const closing = state.serving && !next.serving
    state = next
    if (!changed) return
    if (closing) for (const listener of [...closeListeners]) listener()
    if (next.serving) for (const resolve of [...openWaiters]) resolve()
    for (const listener of [...changeListeners]) listener(next)
  }

  async function checkOnce(): Promise<void> {
    try {
      await check()
      set({ serving: true })
    } catch (error) {
      set({ serving: false, reason: error instanceof Error ? error.message : String(error) })
    }
  }

  const gate: JobGate = {
    isOpen: () => state.serving,
    whenOpen: (signal) =>
      new Promise<void>((resolve) => {
        if (state.serving || signal?.aborted) return resolve()
        const done = () => {
          openWaiters.delete(done)
          signal?.removeEventListener('abort', done)
          resolve()
        }
        openWaiters.add(done)
        signal?.addEventListener('abort', done, { once: true })
      }),
    onClose: (listener) => {
      closeListeners.add(listener)
      return () => closeListeners.delete(listener)
    },
    reason: () => (state.serving ? null : state.reason),
  }

  return {
    gate,
    state: (): HealthState => state,
    onChange(listener: (state: HealthState) => void): () => void {
      changeListeners.add(listener)
      return () => changeListeners.delete(listener)
    },
    /** A job saw the server fail: close now, and check again no sooner than it asked (Retry-After) or the down interval. */
    reportFailure(error: BackendError): void {
      holdUntil = Math.max(holdUntil, clock.now() + Math.max(intervals.downMs, error.retryAfterMs ?? 0))
      set({ serving: false, reason: error.message })
      wake.abort()
    },
    /** One check now, opening or closing the gate on its outcome. */
    check: checkOnce,
    /**
     * Waits up to `ms` for the server to serve again, checking on the down interval (no sooner than a
     * Retry-After it gave); true once it does, false when the time is up or `signal` aborts.
     */
    async servingWithin(ms: number, signal?: AbortSignal): Promise<boolean> {
      const deadline = clock.now() + ms
      while (!state.serving && !signal?.aborted) {
        const next = Math.max(holdUntil, clock.now() + intervals.downMs)
        if (next > deadline) return false
        const wait = new AbortController()
        const stop = () => wait.abort()
        openWaiters.add(stop)
        signal?.addEventListener('abort', stop, { once: true })
        await clock.sleep(next - clock.now(), wait.signal)
        openWaiters.delete(stop)
        signal?.removeEventListener('abort', stop)
        if (!state.serving && !signal?.aborted) await checkOnce()
      }
      return state.serving && !signal?.aborted
    },
    /** Checks now and then on its intervals until `signal` aborts. */
    async run(signal: AbortSignal): Promise<void> {
      while (!signal.aborted) {
        const held = holdUntil - clock.now()
        if (held > 0) {
          await clock.sleep(held, signal)
          continue
        }
        await checkOnce()
        wake = new AbortController()
        const sleeping = AbortSignal.any([signal, wake.signal])
        await clock.sleep(state.serving ? intervals.upMs : intervals.downMs, sleeping)
      }
    },
  }
}

/** A bridged worker's health gate. */
export type BackendHealth = ReturnType<typeof createBackendHealth>
