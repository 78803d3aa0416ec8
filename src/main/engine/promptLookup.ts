import { InputLookupTokenPredictor, TokenPredictor, type LlamaContextSequence, type Token } from 'node-llama-cpp'
import type { SamplingParams } from '../../shared/generation.js'
import { DEFAULT_GATE, PredictionGate, type PredictionCounts, type PredictionGateOptions } from './predictionGate.js'

/** What one generation's prompt lookup did: tokens drafted from the prompt, and those the model accepted. */
export interface PredictionStats {
  drafted: number
  /** Drafts the model produced itself and the generation used (a draft accepted after the last token is not). */
  accepted: number
}

/** A sequence's prediction counters, from the start of a generation. */
interface Counts extends PredictionCounts {
  used: number
}

/**
 * Prompt lookup decoding for one sequence: node-llama-cpp's `InputLookupTokenPredictor` drafts the tokens
 * that followed the latest output in the prompt (echo, JSON, code, quoted context), the model verifies
 * them in one batch, and a `PredictionGate` stops drafting where the model keeps refusing them. The
 * runtime opens each generation with `begin` and reads its counts with `end`.
 */
export class PromptLookup extends TokenPredictor {
  /** A match of two tokens or more: a single common token (" the") would draft mostly refuted guesses. */
  private readonly lookup = new InputLookupTokenPredictor({ patternLength: { min: 2 } })
  private gate: PredictionGate | null = null
  private sequence: LlamaContextSequence | null = null
  private baseline: Counts = { validated: 0, refuted: 0, used: 0 }
  private generated = 0

  constructor(
    private readonly gateOptions: PredictionGateOptions = DEFAULT_GATE,
    private readonly clock: () => number = () => performance.now(),
  ) {
    super()
  }

  /** Starts a generation on `sequence`; without `enabled` it drafts nothing. */
  begin(sequence: LlamaContextSequence, enabled: boolean): void {
    this.sequence = sequence
    this.baseline = countsOf(sequence)
    this.generated = 0
    this.gate = enabled ? new PredictionGate(this.gateOptions) : null
  }

  /** The generation's drafted and accepted tokens; drafting stays off until the next `begin`. */
  end(): PredictionStats {
    const counts = this.counts()
    this.gate = null
    return { drafted: counts.validated + counts.refuted, accepted: counts.used }
  }

  reset(params: Parameters<TokenPredictor['reset']>[0]): void {
    this.sequence = params.targetSequence
    this.lookup.reset(params)
  }

  override updateInputTokens(tokens: Token[]): void {
    this.lookup.updateInputTokens(tokens)
  }

  pushTokens(tokens: Token[]): void {
    this.generated += tokens.length
    this.lookup.pushTokens(tokens)
  }

  predictTokens(): Token[] {
    if (!this.gate?.allow(this.generated, this.counts(), this.clock())) return []
    // One draft per step: node-llama-cpp 3.22's verification accepts only the first draft of a batch and
    // counts every later one refuted, however right it was, so a longer draft only costs evaluation.
    return this.lookup.predictTokens().slice(0, 1)
  }

  override dispose(): void {
    this.lookup.dispose()
  }

  private counts(): Counts {
    if (!this.sequence) return { validated: 0, refuted: 0, used: 0 }
    const now = countsOf(this.sequence)
    return {
      validated: now.validated - this.baseline.validated,
      refuted: now.refuted - this.baseline.refuted,
      used: now.used - this.baseline.used,
    }
  }
}

function countsOf(sequence: LlamaContextSequence): Counts {
  const { validated, refuted, used } = sequence.tokenPredictions
  return { validated, refuted, used }
}

/**
 * Whether a request may draft at all. Verification samples every drafted position, so a seeded sampler
 * would draw its random numbers in another order (the same seed would give another answer), and a repeat
 * penalty would be computed from tokens that do not yet include the drafts. Greedy decoding and unseeded
 * sampling are unchanged by it.
 */
export function mayPredict(params: SamplingParams): boolean {
  const greedy = (params.temperature ?? 0) === 0
  const penalised = params.repeatPenalty !== undefined && params.repeatPenalty !== 1
  return !penalised && (greedy || params.seed === undefined)
}
