import type { EngineSnapshot, LoadedModel } from '../../shared/domain.js'
import type { GenerateRequest, GenerateResult, ToolCallDelta } from '../../shared/generation.js'
import type { HardwareInfo, ModelFit } from '../../shared/models.js'

/** Streaming and cancellation for one generation. */
export interface GenerateHandlers {
  /** Called with batches of new text, in order, and the number of tokens generated so far. */
  onText?: (text: string, tokens: number) => void
  /** Thinking text as it streams; never passed to `onText`. */
  onReasoning?: (text: string, tokens: number) => void
  /** Tool calls as they stream. */
  onToolCall?: (delta: ToolCallDelta, tokens: number) => void
  signal?: AbortSignal
}

/**
 * The one engine of the host, whichever process it lives in. All callers (chat, worker, API) share
 * the loaded model; load and unload are serialised.
 */
export interface Engine {
  snapshot(): EngineSnapshot
  /** Subscribes to snapshot changes; returns the unsubscribe function. */
  subscribe(listener: (snapshot: EngineSnapshot) => void): () => void
  /** Loads a model by path, replacing the current one. Throws `AppError` with a clear message. */
  load(path: string): Promise<LoadedModel>
  unload(): Promise<void>
  /**
   * Makes sure the loaded model can run `count` generations at once, each holding `contextSize` tokens
   * when given (a grid job's whole context), reloading it if needed.
   */
  ensureSequences(count: number, contextSize?: number): Promise<void>
  /** Generates with the loaded model. Aborting resolves with `finishReason: 'abort'` and the partial text. */
  generate(request: GenerateRequest, handlers?: GenerateHandlers): Promise<GenerateResult>
  /** Stops the engine process for good. */
  close(): Promise<void>
}

/** Fit estimates and hardware facts, answered by the engine process (node-llama-cpp's GGUF insights). */
export interface ModelInspector {
  inspect(source: string): Promise<ModelFit>
  hardware(): Promise<HardwareInfo>
}
