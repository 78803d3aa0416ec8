import type { GridNetwork } from '../shared/domain.js'
import { errorAnswer } from './errorAnswer.js'
import { gridHeaders, type GridCredentials } from './gridAuth.js'
import { unreachableError, unreadableAnswer } from './gridError.js'
import { apiUrl } from './gridUrls.js'

/** Where and as whom to ask a grid. */
export interface GridAccess extends GridCredentials {
  network: GridNetwork
  /** Empty for the network's production grid. */
  gridUrl: string
  fetch?: typeof fetch
}

const REQUEST_TIMEOUT_MS = 10_000

/** GETs JSON from a grid's REST API (`path` under its API root); every failure is a classified `GridError`. */
export async function getGridJson(access: GridAccess, path: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<unknown> {
  const url = apiUrl(access.network, access.gridUrl, path)
  let response: Response
  let text: string
  try {
    response = await (access.fetch ?? fetch)(url, {
      headers: gridHeaders(access.network, access, { accept: 'application/json' }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    text = await response.text()
  } catch (error) {
    throw unreachableError(error, url)
  }
  if (!response.ok) throw errorAnswer(access.network, response.status, text, response.headers.get('retry-after'))
  try {
    return JSON.parse(text)
  } catch {
    throw unreadableAnswer(response.status)
  }
}
