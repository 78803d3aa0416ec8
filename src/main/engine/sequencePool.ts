import type { LlamaContext, LlamaContextSequence, TokenPredictor } from 'node-llama-cpp'
import { LockDemand } from './lockDemand.js'
import { YieldingPredictor } from './yieldingPredictor.js'

/** What a conversation's sequence remembers about its last turn, besides the tokens it holds. */
export type SequenceMemory = unknown

/** A sequence lent to one generation; give it back with `release`. */
export interface SequenceLease {
  readonly sequence: LlamaContextSequence
  /** The sequence's own token predictor from the pool's factory (prompt lookup), if any. */
  readonly predictor: TokenPredictor | undefined
  /** What the same conversation left on this sequence last time; null on a fresh or another's sequence. */
  readonly memory: SequenceMemory | null
  /**
   * Returns the sequence. With a key it stays loaded (its KV cache kept) for that conversation's next
   * turn until someone else needs a sequence; without one it is freed.
   */
  release(keep?: { key: string; memory: SequenceMemory }): void
}

interface Kept {
  sequence: LlamaContextSequence
  memory: SequenceMemory
}

/**
 * The context's sequences, shared by chat, grid slots and API requests. A conversation's sequence is
 * kept after its reply so the next turn only evaluates new tokens; kept sequences are idle, so anyone
 * who finds no free sequence takes the least recently used one (its cache is simply lost). Waiters are
 * served in order. Whatever needs the context's lock (handing a sequence id back, any erase of a
 * sequence's tokens) goes through a `LockDemand`, so it runs between two batches rather than after every
 * other generation has ended.
 */
export class SequencePool {
  /** Idle kept sequences by conversation key, least recently used first. */
  private readonly kept = new Map<string, Kept>()
  private readonly waiting: Array<() => void> = []
  private lent = 0
  private readonly demand = new LockDemand()

  /** `predictor`: each new sequence's own token predictor (a predictor serves one sequence only). */
  constructor(
    private readonly context: LlamaContext,
    private readonly predictor: () => TokenPredictor | undefined = () => undefined,
  ) {}

  /** A sequence for `key`'s conversation (its own kept one when there is), or null when the caller gave up. */
  async acquire(key: string | undefined, signal: AbortSignal): Promise<SequenceLease | null> {
    const own = key === undefined ? undefined : this.kept.get(key)
    if (own && key !== undefined) {
      this.kept.delete(key)
      return this.lease(own.sequence, own.memory)
    }
    for (;;) {
      if (signal.aborted) return null
      if (this.context.sequencesLeft > 0) return this.lease(this.newSequence(this.predictor()), null)
      const oldest = this.kept.entries().next()
      if (!oldest.done) {
        const [oldestKey, entry] = oldest.value
        this.kept.delete(oldestKey)
        await this.dispose(entry.sequence)
        continue
      }
      await this.wait(signal)
    }
  }

  /** Sequences lent out now (generating or about to): the batch schedule waits for their tokens. */
  get inUse(): number {
    return this.lent
  }

  /** Work waits for the context lock: the batch schedule then decodes what is queued without holding. */
  get yielding(): boolean {
    return this.demand.waiting
  }

  /** The decode loop started a batch (see `LockDemand.batchStarted`): whether holding sequences back can drain it. */
  batchStarted(leftover: boolean): void {
    this.demand.batchStarted(leftover)
  }

  /** Sequences no one holds, kept ones not counted. */
  get free(): number {
    return this.context.sequencesLeft
  }

  /** A free sequence now, or null: never evicts a kept conversation or waits (calibration takes only what is idle). */
  tryAcquire(): SequenceLease | null {
    return this.context.sequencesLeft > 0 ? this.lease(this.newSequence(undefined), null) : null
  }

  /** Drops every kept sequence (model unload). */
  clear(): void {
    for (const entry of this.kept.values()) void entry.sequence.dispose()
    this.kept.clear()
  }

  private newSequence(inner: TokenPredictor | undefined): LlamaContextSequence {
    const sequence = this.context.getSequence({ tokenPredictor: new YieldingPredictor(this.demand, inner) })
    erasesAsDemands(sequence, this.demand)
    return sequence
  }

  /** Disposing hands the sequence id back to the context once its cache is cleared, under the context lock. */
  private dispose(sequence: LlamaContextSequence): Promise<void> {
    return this.demand.around(() => sequence.dispose())
  }

  private lease(sequence: LlamaContextSequence, memory: SequenceMemory | null): SequenceLease {
    let released = false
    this.lent++
    const yielding = sequence.tokenPredictor instanceof YieldingPredictor ? sequence.tokenPredictor : null
    return {
      sequence,
      predictor: yielding?.inner,
      memory,
      release: (keep) => {
        if (released) return
        released = true
        this.lent--
        if (keep && !sequence.disposed) {
          const previous = this.kept.get(keep.key)
          this.kept.delete(keep.key)
          if (previous && previous.sequence !== sequence) void this.dispose(previous.sequence)
          this.kept.set(keep.key, { sequence, memory: keep.memory })
          this.waiting.shift()?.()
        } else {
          // The next waiter is woken once the id is back, not to find none and sleep again.
          void this.dispose(sequence).finally(() => this.waiting.shift()?.())
        }
      },
    }
  }

  /** Until a sequence is returned, or briefly: a disposed sequence is reclaimed by the context asynchronously. */
  private wait(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, 50)
      const waiting = this.waiting
      function done() {
        clearTimeout(timer)
        const index = waiting.indexOf(done)
        if (index >= 0) waiting.splice(index, 1)
        signal.removeEventListener('abort', done)
        resolve()
      }
      waiting.push(done)
      signal.addEventListener('abort', done, { once: true })
    })
  }
}

/** node-llama-cpp's one way every erase of a sequence's tokens goes (its public erase, `adaptStateToTokens`, drafts, context shifts). */
interface Erasing {
  _eraseContextTokenRanges?: (...args: unknown[]) => Promise<void>
}

/**
 * Makes every erase of `sequence`'s tokens a demand for as long as it waits for and holds the context
 * lock: a refuted draft, a kept conversation's stale turn, a context shift. The demand starts when the
 * erase asks for the lock, not earlier (a chat building its prompt does not hold the others back).
 * Should a later node-llama-cpp rename the method, erases simply wait for the lock as before.
 */
function erasesAsDemands(sequence: LlamaContextSequence, demand: LockDemand): void {
  const target = sequence as unknown as Erasing
  const erase = target._eraseContextTokenRanges
  if (typeof erase !== 'function') return
  target._eraseContextTokenRanges = (...args) => demand.around(() => erase.apply(sequence, args))
}
