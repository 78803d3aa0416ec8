import type { LlamaContext, LlamaContextSequence, TokenPredictor } from 'node-llama-cpp'

/** What a conversation's sequence remembers about its last turn, besides the tokens it holds. */
export type SequenceMemory = unknown

/** A sequence lent to one generation; give it back with `release`. */
export interface SequenceLease {
  readonly sequence: LlamaContextSequence
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
 * served in order.
 */
export class SequencePool {
  /** Idle kept sequences by conversation key, least recently used first. */
  private readonly kept = new Map<string, Kept>()
  private readonly waiting: Array<() => void> = []
  private lent = 0

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
      if (this.context.sequencesLeft > 0) return this.lease(this.context.getSequence({ tokenPredictor: this.predictor() }), null)
      const oldest = this.kept.entries().next()
      if (!oldest.done) {
        const [oldestKey, entry] = oldest.value
        this.kept.delete(oldestKey)
        // Disposing hands the sequence id back to the context once its cache is cleared.
        await entry.sequence.dispose()
        continue
      }
      await this.wait(signal)
    }
  }

  /** Sequences lent out now (generating or about to): the batch schedule waits for their tokens. */
  get inUse(): number {
    return this.lent
  }

  /** Sequences no one holds, kept ones not counted. */
  get free(): number {
    return this.context.sequencesLeft
  }

  /** A free sequence now, or null: never evicts a kept conversation or waits (calibration takes only what is idle). */
  tryAcquire(): SequenceLease | null {
    return this.context.sequencesLeft > 0 ? this.lease(this.context.getSequence(), null) : null
  }

  /** Drops every kept sequence (model unload). */
  clear(): void {
    for (const entry of this.kept.values()) void entry.sequence.dispose()
    this.kept.clear()
  }

  private lease(sequence: LlamaContextSequence, memory: SequenceMemory | null): SequenceLease {
    let released = false
    this.lent++
    return {
      sequence,
      memory,
      release: (keep) => {
        if (released) return
        released = true
        this.lent--
        if (keep && !sequence.disposed) {
          const previous = this.kept.get(keep.key)
          this.kept.delete(keep.key)
          if (previous && previous.sequence !== sequence) void previous.sequence.dispose()
          this.kept.set(keep.key, { sequence, memory: keep.memory })
        } else {
          void sequence.dispose()
        }
        this.waiting.shift()?.()
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
