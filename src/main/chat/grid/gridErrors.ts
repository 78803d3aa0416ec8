import { errorAnswer } from '../../../grid/errorAnswer.js'
import type { GridError } from '../../../grid/gridError.js'
import type { GridNetwork } from '../../../shared/domain.js'
import { GRID_NAMES } from '../../../shared/gridChat.js'
import { AppError } from '../../../shared/result.js'

/** Chat quotes the grid's words shorter than the worker's log does: they end up in a chat bubble. */
const MAX_QUOTED_CHARS = 200

/** No worker serves the model: said the same way for both grids. */
export function noWorkers(network: GridNetwork, model: string): AppError {
  return new AppError('BUSY', `No ${GRID_NAMES[network]} worker is serving ${model} right now; pick another model or try again later.`)
}

/** One plain sentence for a grid's non-2xx answer to a chat request; `model` is null for the model list. */
export async function chatHttpError(network: GridNetwork, response: Response, model: string | null): Promise<AppError> {
  const text = await response.text().catch(() => '')
  return chatError(network, errorAnswer(network, response.status, text, response.headers.get('retry-after')), model)
}

/** A classified grid failure, worded for the person chatting. */
export function chatError(network: GridNetwork, error: GridError, model: string | null): AppError {
  const grid = GRID_NAMES[network]
  const said = error.details.said
  const notAnswering = () =>
    new AppError('INTERNAL', `The ${grid} is not answering properly (HTTP ${error.details.status ?? '?'}); try again in a minute.`)
  switch (error.kind) {
    case 'key-refused':
      return new AppError(
        'UNAUTHORIZED',
        network === 'horde'
          ? 'The AI Horde did not accept your API key; check it in Earn, or remove it to chat anonymously.'
          : 'The AIPG grid did not accept your API key; check it in Earn.',
      )
    case 'out-of-credit':
      return new AppError(
        'BAD_REQUEST',
        network === 'horde'
          ? 'Your AI Horde account does not have enough kudos for this reply; earn kudos by sharing your GPU, or ask for a shorter reply.'
          : 'Your AIPG account has no credit left for chat; add credit, or earn some by sharing your GPU.',
      )
    case 'rate-limited':
      return new AppError('BUSY', `The ${grid} is limiting how often you can ask (too many requests); wait a few seconds and send again.`)
    case 'too-large':
      return new AppError('BAD_REQUEST', `This message is too long to send to the ${grid}; shorten it or use the local model.`)
    case 'no-workers':
      return model ? noWorkers(network, model) : notAnswering()
    case 'maintenance':
      return new AppError('BUSY', `The ${grid} is in maintenance; try again later.`)
    case 'server-error':
    case 'garbage':
    case 'unexpected':
      return notAnswering()
    default:
      return said ? new AppError('BAD_REQUEST', `The ${grid} refused the request: ${quote(said)}`) : notAnswering()
  }
}

/** A request that never got an answer (DNS, refused, TLS, offline). */
export function unreachable(network: GridNetwork, baseUrl: string): AppError {
  let host = baseUrl
  try {
    host = new URL(baseUrl).host
  } catch {
    // The URL was checked when it was saved; keep the raw text if it is odd anyway.
  }
  return new AppError('INTERNAL', `Could not reach the ${GRID_NAMES[network]} at ${host}; check your internet connection and try again.`)
}

/** True for the error fetch throws when its signal aborts. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')
}

function quote(said: string): string {
  return said.length > MAX_QUOTED_CHARS ? `${said.slice(0, MAX_QUOTED_CHARS - 1)}…` : said
}
