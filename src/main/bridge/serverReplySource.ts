import { SERVER_NAME, type ReplyAuthor } from '../../shared/gridChat.js'
import type { GenerateRequest, GenerateResult } from '../../shared/generation.js'
import { AppError } from '../../shared/result.js'
import { BackendError } from '../../worker/bridge/backendError.js'
import { BadJobRequest } from '../../worker/params.js'
import type { GenerationEngine } from '../../worker/ports.js'
import type { BridgeSettings } from './bridgeSettings.js'
import { inFormWords } from './formWords.js'

type Handlers = Parameters<GenerationEngine['generate']>[1]

/** A chat reply source (chat's `ReplySource`, by shape: features do not import each other) on the user's server. */
export interface ServerReplySource {
  author(): ReplyAuthor
  generate(request: GenerateRequest, handlers: Handlers): Promise<GenerateResult>
}

/**
 * Replies written by the inference server the user runs. The conversation goes to that server and nowhere
 * else; the server's sentences (down, refused key, a web page) end the reply as its error, Stop aborts it.
 */
export function serverReplySource(
  saved: BridgeSettings,
  engine: () => Promise<GenerationEngine>,
  onFailure: () => void,
): ServerReplySource {
  return {
    author() {
      if (!saved.model)
        throw new AppError(
          'NO_MODEL',
          `Choose a server and its model in Settings › Where the tokens come from to chat with ${SERVER_NAME}.`,
        )
      if (saved.kind !== 'openai')
        throw new AppError('BAD_REQUEST', 'Chat goes through an OpenAI-compatible server; KoboldCpp serves that API under /v1 too.')
      return { backend: 'server', model: saved.model, gridOrigin: new URL(saved.url).origin }
    },
    async generate(request, handlers) {
      try {
        return await (await engine()).generate(request, handlers)
      } catch (error) {
        if (error instanceof BadJobRequest) throw new AppError('BAD_REQUEST', error.message)
        if (!(error instanceof BackendError)) throw error
        // The next message probes the server again: it may have been restarted with another model or key.
        onFailure()
        throw new AppError(error.failure === 'key-refused' ? 'KEY_REFUSED' : 'ENGINE_CRASHED', inFormWords(error.message))
      }
    },
  }
}
