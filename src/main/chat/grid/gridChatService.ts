import type { GridNetwork, Message } from '../../../shared/domain.js'
import { GRID_NAMES, wentToGrid, type ChatBackend, type GridModel } from '../../../shared/gridChat.js'
import { AppError } from '../../../shared/result.js'
import type { ReplySource } from '../replySource.js'
import { aipgChat, aipgModels } from './aipgChat.js'
import type { GridEndpoint } from './gridEndpoint.js'
import { hordeChat, hordeModels, type HordeChatOptions } from './hordeChat.js'

/** What chat through a grid needs from the host. */
export interface GridChatDependencies {
  /** The grid's base URL (the one set for earning on that network, else production). */
  gridUrl(network: GridNetwork): string
  /** The stored API key for the network; it is put on the wire and nowhere else. */
  apiKey(network: GridNetwork): string | null
  /** Client-Agent. */
  agent: string
  fetch?: typeof fetch
  horde?: HordeChatOptions
}

/** Chat through a grid for people without a strong GPU: the model lists and a reply source per send. */
export class GridChatService {
  constructor(private readonly deps: GridChatDependencies) {}

  models(network: GridNetwork): Promise<GridModel[]> {
    const endpoint = this.endpoint(network)
    return network === 'aipg' ? aipgModels(endpoint) : hordeModels(endpoint)
  }

  /**
   * The reply source for a send, or undefined for the local model. A conversation goes to a grid only after
   * the user has accepted, once for that conversation and that grid, that its community workers will read it.
   */
  sourceFor(backend: ChatBackend | undefined, history: readonly Message[], noticeAccepted: boolean): ReplySource | undefined {
    if (!backend || backend.kind !== 'grid') return undefined
    if (!noticeAccepted && !wentToGrid(history, backend.network)) {
      throw new AppError(
        'BAD_REQUEST',
        `Confirm that community workers on the ${GRID_NAMES[backend.network]} may read this conversation before it is sent there.`,
      )
    }
    const endpoint = this.endpoint(backend.network)
    return backend.network === 'aipg' ? aipgChat(endpoint, backend.model) : hordeChat(endpoint, backend.model, this.deps.horde)
  }

  private endpoint(network: GridNetwork): GridEndpoint {
    return {
      baseUrl: this.deps.gridUrl(network),
      apiKey: this.deps.apiKey(network),
      agent: this.deps.agent,
      fetch: this.deps.fetch,
    }
  }
}
