import type { GenerateRequest, GenerateResult } from '../../shared/generation.js'
import type { ReplyStage } from '../../shared/gridChat.js'
import type { GenerateHandlers } from '../engine/engine.js'

/** Streaming, cancellation and, for queued grids, how the wait is going. */
export interface ReplyHandlers extends GenerateHandlers {
  onProgress?: (stage: ReplyStage) => void
}

/**
 * Something other than the local engine that writes a chat reply (a grid). Same contract as
 * `Engine.generate`: text streams through `onText`; aborting resolves with `finishReason: 'abort'`;
 * failures throw `AppError` with one plain sentence.
 */
export interface ReplySource {
  /** Recorded as the reply's `model`: which grid and model wrote it. */
  readonly label: string
  generate(request: GenerateRequest, handlers: ReplyHandlers): Promise<GenerateResult>
}
