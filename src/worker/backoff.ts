/** Options of an exponential backoff. */
export interface BackoffOptions {
  initialMs?: number
  maxMs?: number
  /** Fraction of each delay that is randomised, so many workers do not retry in lockstep. */
  jitter?: number
  random?: () => number
}

/**
 * Exponential backoff with jitter and a contiguous-failure counter: 1 s, 2 s, 4 s … up to 30 s,
 * back to the start after a success.
 */
export function createBackoff({ initialMs = 1000, maxMs = 30_000, jitter = 0.2, random = Math.random }: BackoffOptions = {}) {
  let failures = 0
  return {
    /** The delay before the next attempt; counts one more failure. */
    next(): number {
      const base = Math.min(maxMs, initialMs * 2 ** failures)
      failures++
      // Jitter only lengthens the delay, so the floor of one request per `initialMs` always holds.
      return Math.round(base + random() * base * jitter)
    },
    reset(): void {
      failures = 0
    },
    get failures(): number {
      return failures
    },
  }
}

/** A backoff instance. */
export type Backoff = ReturnType<typeof createBackoff>
