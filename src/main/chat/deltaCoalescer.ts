/** Time as the coalescer needs it; tests pass a fake one. */
export interface CoalescerClock {
  now(): number
  /** Runs `task` once after `ms`; returns the function that cancels it. */
  after(ms: number, task: () => void): () => void
}

export const systemCoalescerClock: CoalescerClock = {
  now: () => Date.now(),
  after: (ms, task) => {
    const timer = setTimeout(task, ms)
    return () => clearTimeout(timer)
  },
}

/** New text of a streaming reply: its content and the model's thinking. */
export interface ReplyPiece {
  text: string
  reasoning: string
}

/**
 * Gathers the pieces of a streaming reply, whichever source writes it (the local engine, the AIPG grid, the
 * AI Horde), into batches. A piece after a quiet spell of `intervalMs` goes out at once: the first words,
 * and every token of a slow stream, wait for nothing. Pieces that come faster are gathered and go out
 * together `intervalMs` after the previous batch, so nothing waits longer than that. The same policy
 * paces the `chat.delta` events and the saves of a streaming reply, each with its own interval.
 */
export class DeltaCoalescer {
  private pending: ReplyPiece = { text: '', reasoning: '' }
  private dirty = false
  private lastSent = Number.NEGATIVE_INFINITY
  private cancelTimer: (() => void) | null = null
  private stopped = false

  constructor(
    private readonly intervalMs: number,
    private readonly send: (batch: ReplyPiece) => void,
    private readonly clock: CoalescerClock = systemCoalescerClock,
  ) {}

  /** Adds a piece; an empty one just marks that something changed (a save to retry). */
  push(piece: Partial<ReplyPiece> = {}): void {
    if (this.stopped) return
    this.pending.text += piece.text ?? ''
    this.pending.reasoning += piece.reasoning ?? ''
    this.dirty = true
    if (this.cancelTimer) return
    const wait = this.lastSent + this.intervalMs - this.clock.now()
    if (wait <= 0) this.flush()
    else
      this.cancelTimer = this.clock.after(wait, () => {
        this.cancelTimer = null
        this.flush()
      })
  }

  /** Sends what is gathered now (the reply ended). */
  flush(): void {
    this.cancelTimer?.()
    this.cancelTimer = null
    if (!this.dirty) return
    const batch = this.pending
    this.pending = { text: '', reasoning: '' }
    this.dirty = false
    this.lastSent = this.clock.now()
    // Last, so that a push from inside `send` (a failed save asking for a retry) waits its interval.
    this.send(batch)
  }

  /** Drops what is gathered and ignores later pieces. */
  stop(): void {
    this.cancelTimer?.()
    this.cancelTimer = null
    this.dirty = false
    this.pending = { text: '', reasoning: '' }
    this.stopped = true
  }
}
