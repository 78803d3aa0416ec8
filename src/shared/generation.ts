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

/** A function the model may call (OpenAI `tools[].function`). */
export interface ToolDefinition {
  name: string
  description?: string
  /** The arguments' JSON schema. */
  parameters?: Record<string, unknown>
  /** OpenAI's `strict`: arguments must match the schema exactly. */
  strict?: boolean
}

/** Which tools the model may or must call (OpenAI `tool_choice`). */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string }

/** A call the model made. `arguments` is the JSON text of the arguments, as OpenAI sends it. */
export interface ToolCall {
  id: string
  name: string
  arguments: string
}

/** A piece of a tool call as it streams: the same `index`, `id` and `name` on every piece of one call. */
export interface ToolCallDelta {
  index: number
  id: string
  name: string
  /** The next chunk of the arguments' JSON text (may be empty on the first piece). */
  argumentsText: string
}

/** OpenAI `response_format`. */
export type ResponseFormat =
  { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name?: string; schema: Record<string, unknown>; strict?: boolean }

/**
 * One turn of a conversation handed to the engine. `tool` turns answer an assistant's `toolCalls`
 * (`toolCallId` names the call); `reasoning` is an assistant turn's earlier thinking, given to templates
 * that ask for it.
 */
export interface ChatTurn {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content: string
  toolCalls?: ToolCall[]
  toolCallId?: string
  /** For `tool` turns: the function that was called, where the client says it. */
  name?: string
  reasoning?: string
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
      tools?: ToolDefinition[]
      toolChoice?: ToolChoice
      /** Whether the model may make more than one call in a reply (OpenAI's default: true). */
      parallelToolCalls?: boolean
      responseFormat?: ResponseFormat
    }
  | {
      kind: 'completion'
      prompt: string
      params: SamplingParams
      /** Keep at most this many prompt tokens, cutting from the front (the AI Horde's max_context_length). */
      maxPromptTokens?: number
    }

/** Why a generation ended. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'abort'

/** The outcome of one generation. */
export interface GenerateResult {
  /** The answer's content, without reasoning or tool calls. */
  text: string
  /** The thinking segments (Qwen3 `<think>`, gpt-oss analysis), never part of `text`. */
  reasoning?: string
  toolCalls?: ToolCall[]
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
  /** Tokens drafted for the model to verify (from the prompt or by a draft model), and those it accepted (local engine only). */
  prediction?: { drafted: number; accepted: number; source: 'lookup' | 'draft' }
}
