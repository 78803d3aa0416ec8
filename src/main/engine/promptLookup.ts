import { InputLookupTokenPredictor, TokenPredictor, type LlamaContextSequence, type Token } from 'node-llama-cpp'
import type { SamplingParams } from '../../shared/generation.js'
import { DEFAULT_GATE, PredictionGate, type PredictionCounts, type PredictionGateOptions } from './predictionGate.js'

/** What one generation's drafting did: tokens drafted, and those the model accepted. */
export interface PredictionStats {
  drafted: number
  /** Drafts the model produced itself and the generation used (a draft accepted after the last token is not). */
  accepted: number
  /** Where the drafts came from: the prompt, or a draft model. */
  source: 'lookup' | 'draft'
}

/** A sequence's prediction counters, from the start of a generation. */
interface Counts extends PredictionCounts {
  used: number
}

/**
 * Speculative decoding for one sequence. By default prompt lookup: node-llama-cpp's
 * `InputLookupTokenPredictor` drafts the tokens that followed the latest output in the prompt (echo,
 * JSON, code, quoted context). A generation may instead be given a draft model's predictor
 * (`DraftSequenceTokenPredictor`, see DraftModel), which drafts what the smaller model would write. The
 * model verifies the drafts in one batch either way, and a `PredictionGate` stops drafting where the
 * model keeps refusing them or where drafting is slower. The runtime opens each generation with `begin`
 * and reads its counts with `end`.
 */
export class PromptLookup extends TokenPredictor {
  /** A match of two tokens or more: a single common token (" the") would draft mostly refuted guesses. */
  private readonly lookup = new InputLookupTokenPredictor({ patternLength: { min: 2 } })
  private gate: PredictionGate | null = null
  private sequence: LlamaContextSequence | null = null
  private baseline: Counts = { validated: 0, refuted: 0, used: 0 }
  private generated = 0
  /** The draft model's predictor for this generation; null: prompt lookup. */
  private draft: TokenPredictor | null = null

  constructor(
    private readonly gateOptions: PredictionGateOptions = DEFAULT_GATE,
    private readonly clock: () => number = () => performance.now(),
  ) {
    super()
  }

  /**
   * Starts a generation on `sequence`; without `enabled` it drafts nothing. With `draft` (a draft model's
   * predictor, this generation's alone) it drafts from that instead of the prompt: the sequence resets its
   * predictor at the start of every evaluation, which brings the draft's sequence to the same tokens.
   */
  begin(sequence: LlamaContextSequence, enabled: boolean, draft: TokenPredictor | null = null): void {
    this.sequence = sequence
    this.baseline = countsOf(sequence)
    this.generated = 0
    const options = draft ? { ...this.gateOptions, maxWindowTokens: 2 * this.gateOptions.window } : this.gateOptions
    this.gate = enabled ? new PredictionGate(options) : null
    this.draft = enabled ? draft : null
  }

  /** The generation's drafted and accepted tokens; drafting stays off until the next `begin`. */
  end(): PredictionStats {
    const counts = this.counts()
    const source = this.draft ? 'draft' : 'lookup'
    this.gate = null
    this.draft?.stop()
    this.draft = null
    return { drafted: counts.validated + counts.refuted, accepted: counts.used, source }
  }

  async reset(params: Parameters<TokenPredictor['reset']>[0]): Promise<void> {
    this.sequence = params.targetSequence
    this.lookup.reset(params)
    await this.draft?.reset(params)
  }

  override stop(untilPredictionsExhausted?: boolean): void {
    void this.draft?.stop(untilPredictionsExhausted)
  }

  override updateInputTokens(tokens: Token[]): void {
    this.lookup.updateInputTokens(tokens)
  }

  pushTokens(tokens: Token[]): void {
    this.generated += tokens.length
    this.lookup.pushTokens(tokens)
    this.draft?.pushTokens(tokens)
  }

  predictTokens(): Token[] | Promise<Token[]> {
    if (!this.gate?.allow(this.generated, this.counts(), this.clock())) {
      // A paused draft model evaluates nothing; it catches up on the tokens pushed meanwhile in one batch.
      void this.draft?.stop()
      return []
    }
    if (this.draft) return Promise.resolve(this.draft.predictTokens()).then(firstDraft)
    return firstDraft(this.lookup.predictTokens())
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

/**
 * One draft per step: node-llama-cpp 3.22.1's verification (`_speculativeEvaluate`) accepts only the
 * first draft of a batch and counts every later one refuted, however right it was, so a longer draft
 * only costs evaluation. The README names the upstream fix.
 */
function firstDraft(tokens: Token[]): Token[] {
  return tokens.slice(0, 1)
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
