import type { BatchItem, CustomBatchingPrioritizationStrategy, PrioritizedBatchItem } from 'node-llama-cpp'

/**
 * How long a batch is held for a generating sequence that has not queued its next token. Its re-queue
 * after sampling takes a few microtasks (measured: about three spins of the decode loop); a sequence
 * that is not back by then is doing something else (waiting for a lock, finishing), and the batch goes.
 */
export const HOLD_MS = 2

/**
 * How long a sequence that missed a hold is not waited for. On a loaded machine a hold can run out
 * only because the process was descheduled; the sequences then fall back into alternating batches,
 * which nothing else would ever break, so the schedule tries holding for all of them again after this.
 */
export const EXCUSE_MS = 100

/**
 * A hold may last this share of a batch's duration when that is longer than HOLD_MS: a sequence that
 * misses a batch of a large model waits a whole batch for its next token, so a few milliseconds more of
 * hold are cheap (a 1.1B model at 1 thread: 170 ms a batch, a sequence's re-queue sometimes 2 to 5 ms).
 */
export const HOLD_SHARE = 0.05

/** A missed sequence is excused for at least this many batch durations, so a hold is tried once per so many batches. */
export const EXCUSE_BATCHES = 2

/** How many recent batch durations the estimate keeps; the shortest counts (a pause between loops is not a batch). */
const RECENT_BATCHES = 3

export interface BatchScheduleOptions {
  /** Sequences lent out right now: the ones whose next token a batch may wait for. */
  busy: () => number
  /**
   * Work waits for the context lock and the generating sequences hold their tokens back for it (see
   * `LockDemand`): waiting for them would only spin; the batch takes what is queued.
   */
  yielding?: () => boolean
  /**
   * A batch is about to be decoded. `leftover`: queued tokens stay for later batches (a prompt longer
   * than a batch), so the loop keeps turning after this one.
   */
  onBatch?: (leftover: boolean) => void
  now?: () => number
  holdMs?: number
  excuseMs?: number
}

/**
 * The context's batch prioritization, which makes parallel sequences decode in one batch.
 *
 * node-llama-cpp's decode loop starts the next batch with whatever is queued the moment a batch ends.
 * A sequence sampled early in a batch re-queues while the later ones are still sampling, so the loop
 * finds it alone and decodes it alone; the others then re-queue during that decode. Two sequences fall
 * into alternating batches of one and four into batches of three (measured directly on node-llama-cpp,
 * no app code), and the aggregate barely grows with slots. Holding the batch (returning no items keeps
 * the loop turning on microtasks) until every busy sequence is queued puts them back in one batch.
 *
 * A sequence that missed the hold is not waited for again until it shows up in the queue or EXCUSE_MS
 * passed, so a lent sequence that is not generating (a chat that waits to trim its cache) costs one
 * hold per EXCUSE_MS, not one per batch.
 */
export function batchSchedule(options: BatchScheduleOptions): CustomBatchingPrioritizationStrategy {
  const now = options.now ?? (() => performance.now())
  const holdMs = options.holdMs ?? HOLD_MS
  const excuseMs = options.excuseMs ?? EXCUSE_MS
  let holdingSince: number | null = null
  let excusedAt: number | null = null
  /** Busy sequences a batch does not wait for: they missed a hold and have not queued since. */
  let excused = 0
  const batchTime = batchClock()
  return ({ items, size }) => {
    const at = now()
    batchTime.called(at)
    const batchMs = batchTime.estimate()
    const busy = options.busy()
    if (excusedAt !== null && at - excusedAt >= Math.max(excuseMs, EXCUSE_BATCHES * batchMs)) {
      excused = 0
      excusedAt = null
    }
    excused = Math.min(excused, Math.max(0, busy - items.length))
    if (items.length < busy - excused && options.yielding?.() !== true) {
      holdingSince ??= at
      if (at - holdingSince < Math.max(holdMs, HOLD_SHARE * batchMs)) return []
      excused = busy - items.length
      excusedAt = at
    }
    holdingSince = null
    const shares = fairShares(items, size)
    batchTime.dispatched(at)
    if (options.onBatch) {
      const queued = items.reduce((sum, item) => sum + item.tokens.length, 0)
      const taken = shares.reduce((sum, share) => sum + share.processAmount, 0)
      options.onBatch(taken < queued)
    }
    return shares
  }
}

/**
 * How long a batch takes: from its dispatch to the loop's next call (decode and sampling), the shortest
 * of the last few, so that a pause between two loops is not taken for a batch.
 */
function batchClock() {
  const recent: number[] = []
  let dispatchedAt: number | null = null
  return {
    called(at: number) {
      if (dispatchedAt === null) return
      recent.push(at - dispatchedAt)
      if (recent.length > RECENT_BATCHES) recent.shift()
      dispatchedAt = null
    },
    dispatched(at: number) {
      dispatchedAt = at
    },
    estimate: () => (recent.length === 0 ? 0 : Math.min(...recent)),
  }
}

/** Every item gets an equal share of the batch; what short items leave goes to the longer ones in order. */
export function fairShares(items: readonly BatchItem[], size: number): PrioritizedBatchItem[] {
  const shares = items.map((item) => ({ item, processAmount: 0 }))
  let left = size
  let open = shares
  while (left > 0 && open.length > 0) {
    const each = Math.max(1, Math.floor(left / open.length))
    for (const share of open) {
      const more = Math.min(each, share.item.tokens.length - share.processAmount, left)
      share.processAmount += more
      left -= more
      if (left === 0) break
    }
    open = open.filter((share) => share.processAmount < share.item.tokens.length)
  }
  return shares.filter((share) => share.processAmount > 0)
}
