/** The longest a generating sequence holds its next token back for work waiting on the context lock. */
export const YIELD_MS = 20

/**
 * Work that waits for node-llama-cpp's context lock while sequences generate: handing a sequence id back
 * (`dispose`), erasing a kept conversation's stale tokens or a refuted draft. The context's decode loop
 * holds that lock for as long as its queue is never empty when a batch ends, which with two or more
 * generating sequences is until all but one have finished: a freed slot stayed unusable and a refuted
 * draft stalled its sequence for the rest of the wave (measured: 3.5 s of a 3.7 s wave on stories260K).
 * While something waits here, every generating sequence holds its next token back once (see
 * `YieldingPredictor`), the loop finds its queue empty and ends, and the waiting work runs between two
 * batches.
 */
export class LockDemand {
  private pending = 0
  private generation = 0
  private readonly settledWaiters: Array<() => void> = []

  constructor(private readonly yieldMs = YIELD_MS) {}

  /** Something waits for the lock now. */
  get waiting(): boolean {
    return this.pending > 0
  }

  /** Counts up with every new demand: a sequence yields once per demand, not once per token. */
  get current(): number {
    return this.generation
  }

  /** Registers one piece of work that waits for the lock; call the result once it ran (again is harmless). */
  want(): () => void {
    this.pending++
    this.generation++
    let done = false
    return () => {
      if (done) return
      done = true
      this.pending--
      if (this.pending === 0) for (const resolve of this.settledWaiters.splice(0)) resolve()
    }
  }

  /** Runs `work` (which takes the context lock) as a demand. */
  async around<T>(work: () => Promise<T>): Promise<T> {
    const done = this.want()
    try {
      return await work()
    } finally {
      done()
    }
  }

  /**
   * Resolves once nothing waits any more, or after `yieldMs`: a sequence that holds no yielding predictor
   * (or one still evaluating its prompt) keeps the loop turning, and then the others must not wait forever.
   */
  settled(): Promise<void> {
    if (!this.waiting) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const waiters = this.settledWaiters
      const timer = setTimeout(done, this.yieldMs)
      function done() {
        clearTimeout(timer)
        const index = waiters.indexOf(done)
        if (index >= 0) waiters.splice(index, 1)
        resolve()
      }
      waiters.push(done)
    })
  }
}
