import type { GenerateRequest, GenerateResult } from '../../shared/generation.js'
import type { ReplyAuthor, ReplyStage } from '../../shared/gridChat.js'
import type { GenerateHandlers } from '../engine/engine.js'

/** Streaming, cancellation and, for queued grids, how the wait is going. */
export interface ReplyHandlers extends GenerateHandlers {
  onProgress?: (stage: ReplyStage) => void
}

/**
 * What writes a chat reply: the local engine or a grid. Same contract as `Engine.generate`: content
 * streams through `onText`, thinking through `onReasoning`; aborting resolves with `finishReason: 'abort'`;
 * failures throw `AppError` with one plain sentence.
 */
export interface ReplySource {
  /**
   * Who will write the reply, stored with it (routing of regenerate and edit, the grid notice, the label
   * shown). Throws `AppError` when this source cannot write one now (no local model loaded).
   */
  author(): ReplyAuthor
  generate(request: GenerateRequest, handlers: ReplyHandlers): Promise<GenerateResult>
}
