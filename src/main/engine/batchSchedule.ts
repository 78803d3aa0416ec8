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

export interface BatchScheduleOptions {
  /** Sequences lent out right now: the ones whose next token a batch may wait for. */
  busy: () => number
  /**
   * Work waits for the context lock and the generating sequences hold their tokens back for it (see
   * `LockDemand`): waiting for them would only spin; the batch takes what is queued.
   */
  yielding?: () => boolean
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
  return ({ items, size }) => {
    const busy = options.busy()
    const at = now()
    if (excusedAt !== null && at - excusedAt >= excuseMs) {
      excused = 0
      excusedAt = null
    }
    excused = Math.min(excused, Math.max(0, busy - items.length))
    if (items.length < busy - excused && options.yielding?.() !== true) {
      holdingSince ??= at
      if (at - holdingSince < holdMs) return []
      excused = busy - items.length
      excusedAt = at
    }
    holdingSince = null
    return fairShares(items, size)
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
