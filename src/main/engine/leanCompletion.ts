import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp'
import { beginningToken } from './promptTokens.js'

type EvaluateOptions = NonNullable<Parameters<LlamaContextSequence['evaluate']>[1]>

/** How a lean completion ended, in LlamaCompletion's words. */
export type LeanStopReason = 'eogToken' | 'maxTokens' | 'abort'

export interface LeanCompletionOptions {
  maxTokens: number
  temperature?: number
  topP?: number
  topK?: number
  minP?: number
  seed?: number
  repeatPenalty: false | { penalty: number; lastTokens: number }
  tokenBias?: EvaluateOptions['tokenBias']
  /** Ends the generation after the token being processed, like LlamaCompletion's `stopOnAbortSignal`. */
  signal: AbortSignal
  /** Tokens freed when the context fills up. */
  contextShiftSize: number
  /** The tokens released to the text, in order. */
  onToken(tokens: readonly Token[]): void
  onText(text: string): void
}

/** The replacement character a detokenized piece ends with while its UTF-8 sequence is incomplete. */
const INCOMPLETE = '\uFFFD'

/** Tokens of earlier output the detokenizer sees so that a piece gets its leading space right. */
const DETOKENIZER_CONTEXT = 3

/**
 * Text completion straight on `LlamaContextSequence.evaluate`, doing per token only what a completion
 * needs: end of generation, max tokens, abort, and releasing text whole characters at a time. It keeps
 * LlamaCompletion's behaviour without grammar or stop triggers token for token (the same prefix reuse,
 * BOS, repeat-penalty window, context shift, and tokens held while a character is incomplete), with
 * less JavaScript between two decodes: on a 2-core PC that work competes with ggml's second thread.
 * `input` is the prompt's text tokens; the model's beginning token is put in front of them here.
 */
export async function leanCompletion(
  sequence: LlamaContextSequence,
  input: readonly Token[],
  options: LeanCompletionOptions,
): Promise<{ stopReason: LeanStopReason }> {
  const { model, context } = sequence
  const { signal, maxTokens, repeatPenalty } = options
  signal.throwIfAborted()
  const head = beginningToken(model)
  const fit = (room: number, tokens: readonly Token[]): Token[] => {
    const start = head === null ? [] : [head]
    const size = Math.max(0, Math.min(room - start.length, tokens.length))
    if (size === 0 && tokens.length > 0) throw new Error('The context size is too small to generate a response for the given input')
    return [...start, ...tokens.slice(tokens.length - size)]
  }
  const endTokens = extraEndTokens(model)
  const released: Token[] = []
  /** Tokens whose text waits for a later token: an incomplete character, or nothing yet after one. */
  let held: Token[] = []
  let generated = 0
  const nl = model.tokens.nl
  const punish = repeatPenalty
    ? {
        punishTokens: () => released.slice(-repeatPenalty.lastTokens).filter((token) => token !== nl),
        maxPunishTokens: repeatPenalty.lastTokens,
        penalty: repeatPenalty.penalty,
      }
    : undefined
  const release = () => {
    if (held.length === 0) return
    options.onToken(held)
    options.onText(model.detokenize(held, false, released.slice(-DETOKENIZER_CONTEXT)))
    for (const token of held) released.push(token)
    held = []
  }

  let pending = fit(context.contextSize - options.contextShiftSize, input)
  sequence.tokenPredictor?.updateInputTokens?.(pending.slice())
  for (;;) {
    pending = await reuseState(sequence, pending)
    let partial: Token | null = null
    const tokens = sequence.evaluate(pending, {
      temperature: options.temperature,
      topP: options.topP,
      topK: options.topK,
      minP: options.minP,
      seed: options.seed,
      tokenBias: options.tokenBias,
      ...(punish ? { repeatPenalty: punish } : {}),
      yieldEogToken: true,
    })
    let shift = false
    for await (const token of tokens) {
      generated++
      if (model.isEogToken(token) || endTokens.has(token)) {
        release()
        return { stopReason: 'eogToken' }
      }
      const text = model.detokenize([token])
      const incomplete = text.endsWith(INCOMPLETE)
      if (partial === null && incomplete && !model.isSpecialToken(token)) {
        // As LlamaCompletion does, the first piece of a character is held without the checks below.
        partial = token
        continue
      }
      const waiting = held.length > 0
      if (partial !== null) held.push(partial)
      partial = null
      held.push(token)
      if (!incomplete && !(text === '' && waiting && !model.isSpecialToken(token))) release()
      if (signal.aborted) return { stopReason: 'abort' }
      if (generated >= maxTokens) return { stopReason: 'maxTokens' }
      if (sequence.nextTokenIndex >= context.contextSize - 1) {
        shift = true
        break
      }
    }
    if (!shift) throw new Error('The context size is too small to generate a response')
    pending = fit(context.contextSize - options.contextShiftSize, [...input, ...released])
  }
}

/**
 * Keeps what the sequence already holds of `tokens` (a conversation's earlier turns, a shared prefix)
 * and returns the rest to evaluate; at least the last token is evaluated, for its logits.
 */
async function reuseState(sequence: LlamaContextSequence, tokens: Token[]): Promise<Token[]> {
  if (tokens.length === 1 && sequence.nextTokenIndex !== 0) {
    await sequence.eraseContextTokenRanges([{ start: 0, end: sequence.nextTokenIndex }])
    return tokens
  }
  await sequence.adaptStateToTokens(tokens.slice(0, -1), false)
  return tokens.slice(sequence.nextTokenIndex)
}

const endTokensByModel = new WeakMap<LlamaModel, ReadonlySet<Token>>()

/**
 * Tokens that end a Gemma completion besides its end-of-generation tokens (LlamaCompletion's rule).
 * Finding them reads the whole vocabulary, so it is done once per model.
 */
function extraEndTokens(model: LlamaModel): ReadonlySet<Token> {
  const known = endTokensByModel.get(model)
  if (known) return known
  const found = new Set<Token>()
  const architecture = model.fileInfo.metadata.general.architecture
  if (architecture === 'gemma' || architecture === 'gemma2') {
    for (const token of model.iterateAllTokens()) {
      const text = model.detokenize([token], true)
      if (text === '<|file_separator|>' || text === '<|fim_prefix|>') found.add(token)
      if (found.size === 2) break
    }
  }
  endTokensByModel.set(model, found)
  return found
}
