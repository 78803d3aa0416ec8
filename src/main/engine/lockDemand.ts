/**
 * Batches the decode loop may start, with no further sequence joining the holders, before they are let
 * go: the loop keeps turning without them (a sequence that does not yield), so holding cannot drain it.
 */
export const YIELD_BATCHES = 2

/** The longest any hold lasts, whatever happens. */
export const MAX_YIELD_MS = 5000

/** Why a hold ended: the work ran, queued tokens outlast the batch (no drain soon), or holding did not drain the loop. */
export type HoldOutcome = 'met' | 'blocked' | 'timeout'

/**
 * Work that waits for node-llama-cpp's context lock while sequences generate: handing a sequence id back
 * (`dispose`), erasing a kept conversation's stale tokens or a refuted draft. The context's decode loop
 * holds that lock for as long as its queue is never empty when a batch ends, which with two or more
 * generating sequences is until all but one have finished: a freed slot stayed unusable and a refuted
 * draft stalled its sequence for the rest of the wave (measured: 3.5 s of a 3.7 s wave on stories260K).
 * While something waits here, every generating sequence holds its next token back (see
 * `YieldingPredictor`) until the work ran; once all are held the loop finds its queue empty and ends, and
 * the work runs between two batches. A hold is not bounded by time: sequences out of step are held one
 * after the other, each after its own batch, and a batch (a new job's prompt) can take many times a
 * step. With holds of 20 ms a sequence held during another's 1 s prompt re-queued, the loop never ran
 * dry, the work waited (and the batch schedule stood aside) for the rest of the wave, and two slots of a
 * 1.1B model decoded in batches of one. Holds end early when a batch leaves queued tokens behind (a
 * prompt longer than a batch: the loop cannot run dry before it is done), or when the loop went on for
 * YIELD_BATCHES batches without another sequence being held.
 */
export class LockDemand {
  private pending = 0
  private generation = 0
  private draining = true
  private batchesSinceJoin = 0
  private readonly holders = new Set<(outcome: HoldOutcome) => void>()

  constructor(private readonly maxYieldMs = MAX_YIELD_MS) {}

  /** Something waits for the lock now. */
  get waiting(): boolean {
    return this.pending > 0
  }

  /** Counts up with every new demand: a sequence yields once per demand, not once per token. */
  get current(): number {
    return this.generation
  }

  /** Whether holding a sequence back can let the loop run dry: the batch under way takes all that was queued. */
  get canDrain(): boolean {
    return this.draining
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
      if (this.pending === 0) this.finish('met')
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

  /** The decode loop started a batch; `leftover`: queued tokens stay for later batches. */
  batchStarted(leftover: boolean): void {
    this.draining = !leftover
    if (leftover) return this.finish('blocked')
    if (this.holders.size > 0 && ++this.batchesSinceJoin >= YIELD_BATCHES) this.finish('timeout')
  }

  /** Holds the caller until nothing waits any more, or one of the early ends above. */
  settled(): Promise<HoldOutcome> {
    if (!this.waiting) return Promise.resolve('met')
    if (!this.draining) return Promise.resolve('blocked')
    this.batchesSinceJoin = 0
    return new Promise<HoldOutcome>((resolve) => {
      const holders = this.holders
      const timer = setTimeout(() => done('timeout'), this.maxYieldMs)
      function done(outcome: HoldOutcome) {
        clearTimeout(timer)
        holders.delete(done)
        resolve(outcome)
      }
      holders.add(done)
    })
  }

  private finish(outcome: HoldOutcome): void {
    for (const done of [...this.holders]) done(outcome)
  }
}
