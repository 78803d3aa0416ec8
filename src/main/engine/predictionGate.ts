/** One generation's drafted tokens so far: accepted by the model (validated) or not (refuted). */
export interface PredictionCounts {
  validated: number
  refuted: number
}

export interface PredictionGateOptions {
  /** Drafted tokens judged together: a window's acceptance decides whether drafting goes on. */
  window: number
  /** Below this share of accepted drafts, verifying them costs more than they save. */
  minRate: number
  /** Tokens generated without drafting after the first poor window; doubled after each further one. */
  pause: number
  /** The longest pause: a reply that turns to quoting its prompt late is still caught. */
  maxPause: number
}

/**
 * Measured on the 1.1B Q8_0 model at 2 threads (npm run bench): a drafted token that the model refutes
 * costs about as much as it saves when accepted, so drafting pays from roughly a third accepted.
 */
export const DEFAULT_GATE: PredictionGateOptions = { window: 16, minRate: 0.35, pause: 32, maxPause: 256 }

/**
 * Decides, token by token, whether a generation drafts tokens for the model to verify. Drafting goes on
 * while the drafts of the latest window are accepted often enough; after a poor window it pauses, for
 * longer each time, and then tries one more window. So a prompt the reply never repeats costs one window
 * of wasted drafts now and then, never a slower generation throughout.
 */
export class PredictionGate {
  private windowStart: PredictionCounts = { validated: 0, refuted: 0 }
  private pausedUntil = 0
  private pause: number
  private lastRate: number | null = null

  constructor(private readonly options: PredictionGateOptions = DEFAULT_GATE) {
    this.pause = options.pause
  }

  /** Whether to draft the next tokens, after `generated` tokens with these counts so far. */
  allow(generated: number, counts: PredictionCounts): boolean {
    if (generated < this.pausedUntil) return false
    const validated = counts.validated - this.windowStart.validated
    const drafted = validated + counts.refuted - this.windowStart.refuted
    if (drafted < this.options.window) return true
    this.windowStart = { validated: counts.validated, refuted: counts.refuted }
    this.lastRate = validated / drafted
    if (this.lastRate >= this.options.minRate) {
      this.pause = this.options.pause
      return true
    }
    this.pausedUntil = generated + this.pause
    this.pause = Math.min(this.pause * 2, this.options.maxPause)
    return false
  }

  /** Acceptance of the last full window, or null before one was judged. */
  get rate(): number | null {
    return this.lastRate
  }
}
