/** Sampling settings for one generation. Absent fields use the model's or the library's defaults. */
export interface SamplingParams {
  maxTokens: number
  temperature?: number
  topP?: number
  topK?: number
  minP?: number
  repeatPenalty?: number
  /** How many recent tokens the repeat penalty looks at. */
  repeatPenaltyRange?: number
  seed?: number
  /** Generation stops after any of these strings. */
  stop?: string[]
  /** Keep the matched stop string at the end of the text (the AI Horde's rule); OpenAI drops it. */
  stopInText?: boolean
  /** Keep generating past end-of-generation tokens (benchmarks need an exact token count). */
  ignoreEos?: boolean
}

/** One turn of a conversation handed to the engine. */
export interface ChatTurn {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/**
 * What to generate: a chat through the model's own template, or a plain continuation of a prompt
 * (for models without a chat template, and for the AI Horde's raw prompts).
 */
export type GenerateRequest =
  | {
      kind: 'chat'
      turns: ChatTurn[]
      params: SamplingParams
      /** Keep the history within this many tokens (a conversation's context size), dropping the oldest turns. */
      contextTokens?: number
      /**
       * The conversation these turns belong to. The local engine keeps its cache for the next turn, so a
       * continuation only evaluates what is new; without it the sequence is freed after the reply.
       */
      conversationId?: string
    }
  | {
      kind: 'completion'
      prompt: string
      params: SamplingParams
      /** Keep at most this many prompt tokens, cutting from the front (the AI Horde's max_context_length). */
      maxPromptTokens?: number
    }

/** Why a generation ended. */
export type FinishReason = 'stop' | 'length' | 'abort'

/** The outcome of one generation. */
export interface GenerateResult {
  text: string
  finishReason: FinishReason
  promptTokens: number
  completionTokens: number
  durationMs: number
  /** Time from the start to the first generated token: prompt processing plus one sampling step. */
  firstTokenMs: number | null
  /** Prompt tokens the engine evaluated for this reply; the rest came from its cache (local engine only). */
  promptTokensEvaluated?: number
  /** Prompt tokens taken from the cache of the conversation's previous turn (local engine only). */
  reusedTokens?: number
  /** Older parts of the conversation no longer fit the context and were left out of this reply. */
  contextShifted?: boolean
}
