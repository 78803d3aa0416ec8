import type { EarnSettings, GridNetwork } from '../shared/domain.js'
import { gridUrlProblem } from '../shared/gridUrl.js'
import { GridError } from './gridError.js'

/** The production grids. */
export const DEFAULT_GRID_URLS: Record<GridNetwork, string> = {
  aipg: 'https://api.aipowergrid.io',
  horde: 'https://aihorde.net',
}

/** Where each network's REST API lives under a grid's root (grid-protocol.md §1). */
const API_ROOTS: Record<GridNetwork, string> = { aipg: '/v1', horde: '/api/v2' }

/** The grid a network's traffic goes to: the configured URL for the chosen network, else the production grid. */
export function gridUrlFor(settings: Pick<EarnSettings, 'network' | 'gridUrl'>, network: GridNetwork): string {
  return (settings.network === network && settings.gridUrl) || DEFAULT_GRID_URLS[network]
}

/**
 * The grid's root: what a grid URL names once its query, fragment, trailing slashes and API suffix are gone.
 * A grid may sit under a path prefix (`https://host/grid`). People paste the URL with `/api` (the Horde SDK's
 * form, the legacy AIPG worker's) or with the network's own API root (`/api/v2`, `/v1`): all name the same
 * grid. Empty means the network's production grid. Refuses (throws a `bad-url` GridError) a URL the API key
 * may not travel to: the rule of `gridUrlProblem`, plain http only on this PC.
 */
export function gridRoot(network: GridNetwork, gridUrl: string): URL {
  const value = gridUrl || DEFAULT_GRID_URLS[network]
  const problem = gridUrlProblem(value)
  if (problem) throw new GridError('bad-url', `${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`)
  const url = new URL(value)
  let path = url.pathname.replace(/\/+$/, '')
  for (const suffix of [API_ROOTS[network], '/api']) {
    if (path.toLowerCase().endsWith(suffix)) {
      path = path.slice(0, -suffix.length)
      break
    }
  }
  url.pathname = path
  url.search = ''
  url.hash = ''
  return url
}

/**
 * A REST endpoint of a grid: `path` is under the network's API root, so `/find_user` is the Horde's
 * `/api/v2/find_user` and `/models` AIPG's `/v1/models`. It may carry a query.
 */
export function apiUrl(network: GridNetwork, gridUrl: string, path: string): string {
  return `${withoutTrailingSlash(gridRoot(network, gridUrl))}${API_ROOTS[network]}${path}`
}

/**
 * The AIPG worker WebSocket, derived as the reference worker does (grid-protocol.md §1): an `api.` host
 * becomes `ws.` (the host that skips Cloudflare, which resets long-lived sockets), http(s) becomes ws(s),
 * and `/v1/workers/ws` goes under the grid's root.
 */
export function aipgWorkerSocketUrl(gridUrl: string): string {
  const url = gridRoot('aipg', gridUrl)
  if (url.hostname.startsWith('api.')) url.hostname = `ws.${url.hostname.slice(4)}`
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:'
  return `${withoutTrailingSlash(url)}${API_ROOTS.aipg}/workers/ws`
}

/** `https://host:port` of a grid URL (null for one that cannot be parsed): where a key was checked. */
export function originOf(url: string): string | null {
  try {
    return new URL(url).origin
  } catch {
    return null
  }
}

function withoutTrailingSlash(url: URL): string {
  return url.toString().replace(/\/+$/, '')
}
