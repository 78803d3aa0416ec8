import { AppError } from '../../shared/result.js'
import type { Engine } from '../engine/engine.js'
import type { ReplySource } from './replySource.js'

/** Replies written on this computer by the model the engine has loaded. */
export function localReplySource(engine: Engine): ReplySource {
  return {
    author() {
      const model = engine.snapshot().model
      if (!model) throw new AppError('NO_MODEL', 'Load a model before sending a message.')
      return { backend: 'local', model: model.fileName, gridOrigin: null }
    },
    generate: (request, handlers) => engine.generate(request, handlers),
  }
}
