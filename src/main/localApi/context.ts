import type { Engine } from '../engine/engine.js'
import type { RequestQueue } from './requestQueue.js'

/** What the local API's routes use from the host. */
export interface LocalApiContext {
  engine: Engine
  queue: RequestQueue
  /** Local API use is local use: the miner pauses for it. Returns "done". */
  beginLocalUse: () => () => void
}
