import type { GenerateRequest, GenerateResult } from '../../shared/generation.js'
import type { Engine, GenerateHandlers } from '../engine/engine.js'
import type { RequestQueue } from './requestQueue.js'

/** What the local API's routes use from the host. */
export interface LocalApiContext {
  engine: Engine
  queue: RequestQueue
  /** Local API use is local use: the miner pauses for it. Returns "done". */
  beginLocalUse: () => () => void
  /** The model the user's own inference server serves (bridge mode); the API answers to its id too. */
  served?: () => ServedModel | null
}

/**
 * A model another server serves for GridForge. Requests for it go to that server, outside the local model's
 * queue (the server queues its own) and without pausing the miner for local use.
 */
export interface ServedModel {
  id: string
  /** Throws `AppError`: BAD_REQUEST for the request's fault, another code with the server's sentence. */
  generate(request: GenerateRequest, handlers: GenerateHandlers): Promise<GenerateResult>
}
