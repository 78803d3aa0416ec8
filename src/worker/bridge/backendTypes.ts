/** The two server APIs a bridge speaks: OpenAI chat-completions (Ollama, vLLM, llama.cpp server, LM Studio) and KoboldAI (KoboldCpp). */
export type BackendKind = 'openai' | 'kobold'

/** One inference server the user already runs, and the model on it the worker serves. */
export interface BackendConfig {
  kind: BackendKind
  /** OpenAI: the API root with its `/v1` (`http://127.0.0.1:11434/v1`); KoboldAI: the server's origin. */
  url: string
  model: string
  /** The server's bearer key, when it wants one. A secret: never logged, never in an error. */
  key?: string
  timeouts?: Partial<BackendTimeouts>
}

/** How long the bridge waits on the server before calling it gone. */
export interface BackendTimeouts {
  /** From the request to the first byte of the answer (prompt processing of a long prompt included). */
  firstByteMs: number
  /** Between two pieces of a streamed answer. */
  idleMs: number
  /** Health checks and capability probes, each. */
  probeMs: number
  /** How long a job the server failed before any of its answer was streamed waits for the server to serve again (0: not at all). */
  recoveryMs: number
}

export const DEFAULT_TIMEOUTS: BackendTimeouts = { firstByteMs: 120_000, idleMs: 60_000, probeMs: 30_000, recoveryMs: 60_000 }

/** What a backend model was seen to do; the worker advertises and passes through only these. */
export interface BackendCapabilities {
  streaming: boolean
  tools: boolean
  responseFormat: boolean
  /** The context the server says it runs the model with; null when it does not say. */
  contextLength: number | null
  /** Where `contextLength` came from (`/props`, `/api/show`, `/v1/models`…), for the start line. */
  contextSource: string | null
}
