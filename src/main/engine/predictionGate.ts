/** One generation's drafted tokens so far: accepted by the model (validated) or not (refuted). */
export interface PredictionCounts {
  validated: number
  refuted: number
}

export interface PredictionGateOptions {
  /** Tokens generated without drafting at the start, to time the plain decode that drafting must beat. */
  probe: number
  /** Drafted tokens judged together: a window's acceptance and speed decide whether drafting goes on. */
  window: number
  /** Below this share of accepted drafts, a window is poor whatever its speed. */
  minRate: number
  /** Tokens generated without drafting after the first poor window; doubled after each further one. */
  pause: number
  /** The longest pause: a reply that turns to quoting its prompt late is still caught. */
  maxPause: number
  /**
   * A drafting phase is judged after this many generated tokens even with fewer drafts than a window:
   * a draft model costs a decode of its own on every step, also when it offers nothing (too unsure of
   * its token), so a window that never fills must not run forever. Absent: only drafts end a window.
   */
  maxWindowTokens?: number
}

export const DEFAULT_GATE: PredictionGateOptions = { probe: 8, window: 16, minRate: 0.35, pause: 32, maxPause: 256 }

interface Mark {
  generated: number
  at: number
}

/**
 * Decides, token by token, whether a generation drafts tokens for the model to verify. A draft costs a
 * wider decode: on a bandwidth-bound model nearly free, on a compute-bound one (a tiny model, a long
 * context) nearly a token's own decode. So the gate times it: the first tokens decode plainly, and a
 * window of drafts is poor when too few were accepted or when it generated more slowly than plain
 * decoding did. After a poor window drafting pauses (the pause is timed as plain decoding again), for
 * longer each time. A prompt the reply never repeats then costs one window of drafts now and then.
 */
export class PredictionGate {
  private drafting = false
  private windowStart: PredictionCounts = { validated: 0, refuted: 0 }
  /** Where the current phase (plain or drafting) began; null until the first token is out. */
  private phaseStart: Mark | null = null
  private plainUntil: number
  /** Tokens per millisecond of the latest plain phase. */
  private plainSpeed: number | null = null
  private pause: number
  private lastRate: number | null = null

  constructor(private readonly options: PredictionGateOptions = DEFAULT_GATE) {
    this.pause = options.pause
    this.plainUntil = options.probe
  }

  /** Whether to draft the next tokens, after `generated` tokens with these counts, at `now` ms. */
  allow(generated: number, counts: PredictionCounts, now: number): boolean {
    // The first call comes before the prompt is decoded; phases are timed from the first token on.
    if (generated === 0) return this.options.probe === 0
    this.phaseStart ??= { generated, at: now }
    if (!this.drafting) {
      if (generated < this.plainUntil) return false
      this.plainSpeed = speed(this.phaseStart, generated, now) ?? this.plainSpeed
      this.startDrafting(generated, counts, now)
      return true
    }
    const validated = counts.validated - this.windowStart.validated
    const drafted = validated + counts.refuted - this.windowStart.refuted
    const long = this.options.maxWindowTokens !== undefined && generated - this.phaseStart.generated >= this.options.maxWindowTokens
    if (drafted < this.options.window && !long) return true
    this.lastRate = drafted === 0 ? 0 : validated / drafted
    const draftSpeed = speed(this.phaseStart, generated, now)
    const slower = this.plainSpeed !== null && draftSpeed !== null && draftSpeed < this.plainSpeed
    if (this.lastRate >= this.options.minRate && !slower) {
      this.pause = this.options.pause
      this.startDrafting(generated, counts, now)
      return true
    }
    this.drafting = false
    this.phaseStart = { generated, at: now }
    this.plainUntil = generated + this.pause
    this.pause = Math.min(this.pause * 2, this.options.maxPause)
    return false
  }

  /** Acceptance of the last judged window, or null before one was judged. */
  get rate(): number | null {
    return this.lastRate
  }

  private startDrafting(generated: number, counts: PredictionCounts, now: number): void {
    this.drafting = true
    this.windowStart = { validated: counts.validated, refuted: counts.refuted }
    this.phaseStart = { generated, at: now }
  }
}

function speed(from: Mark, generated: number, now: number): number | null {
  const elapsed = now - from.at
  return elapsed > 0 && generated > from.generated ? (generated - from.generated) / elapsed : null
}
