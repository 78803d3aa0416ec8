import type { GridNetwork } from '../../../shared/domain.js'
import { GRID_NAMES } from '../../../shared/gridChat.js'
import { AppError } from '../../../shared/result.js'

const MAX_QUOTED_CHARS = 200

/** What a grid's error body says, whichever of its shapes it uses (FastAPI, Horde rc, OpenAI, limiter). */
export interface GridErrorBody {
  message: string | null
  rc: string | null
}

/** Reads an error body; never throws (proxies send HTML). */
export async function readErrorBody(response: Response): Promise<GridErrorBody> {
  const text = await response.text().catch(() => '')
  try {
    const body = JSON.parse(text) as Record<string, unknown>
    const error = body.error as Record<string, unknown> | undefined
    const raw = body.detail ?? body.message ?? error?.message
    const message = typeof raw === 'string' ? raw : raw === undefined ? null : JSON.stringify(raw)
    return { message: message ? quote(message) : null, rc: typeof body.rc === 'string' ? body.rc : null }
  } catch {
    return { message: null, rc: null }
  }
}

function quote(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > MAX_QUOTED_CHARS ? `${line.slice(0, MAX_QUOTED_CHARS - 1)}…` : line
}

/** No worker serves the model: said the same way for both grids. */
export function noWorkers(network: GridNetwork, model: string): AppError {
  return new AppError('BUSY', `No ${GRID_NAMES[network]} worker is serving ${model} right now; pick another model or try again later.`)
}

/** One plain sentence for a grid's HTTP error. */
export function gridHttpError(network: GridNetwork, status: number, body: GridErrorBody, model: string | null): AppError {
  const grid = GRID_NAMES[network]
  const rc = body.rc ?? ''
  if (status === 401) {
    return new AppError(
      'UNAUTHORIZED',
      network === 'horde'
        ? 'The AI Horde did not accept your API key; check it in Earn, or remove it to chat anonymously.'
        : 'The AIPG grid did not accept your API key; check it in Earn.',
    )
  }
  if (status === 402 || rc === 'KudosUpfront' || rc === 'SharedKeyInsufficientKudos') {
    return new AppError(
      'BAD_REQUEST',
      network === 'horde'
        ? 'Your AI Horde account does not have enough kudos for this reply; earn kudos by sharing your GPU, or ask for a shorter reply.'
        : 'Your AIPG account has no credit left for chat; add credit, or earn some by sharing your GPU.',
    )
  }
  if (status === 429) {
    return new AppError('BUSY', `The ${grid} is limiting how often you can ask (too many requests); wait a few seconds and send again.`)
  }
  if (status === 413) return new AppError('BAD_REQUEST', `This message is too long to send to the ${grid}; shorten it or use the local model.`)
  if (status === 503 && model && /no (available )?workers/i.test(body.message ?? '')) return noWorkers(network, model)
  if (rc === 'MaintenanceMode') return new AppError('BUSY', `The ${grid} is in maintenance; try again later.`)
  if (status >= 500 || body.message === null) {
    return new AppError('INTERNAL', `The ${grid} is not answering properly (HTTP ${status}); try again in a minute.`)
  }
  return new AppError('BAD_REQUEST', `The ${grid} refused the request: ${body.message}`)
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
