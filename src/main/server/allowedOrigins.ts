import type { IncomingMessage } from 'node:http'
import { networkInterfaces } from 'node:os'

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]']
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', ''])

/**
 * The names a browser may use to reach this server: the loopback names, the address it was bound to,
 * and, bound to every interface, each interface's address. A page served from anywhere else (DNS
 * rebinding gives an attacker's name our address) is refused before the token is even looked at.
 */
export function allowedHostNames(boundHost: string): Set<string> {
  const names = new Set(LOOPBACK_NAMES)
  const bracket = (address: string) => (address.includes(':') ? `[${address}]` : address)
  if (!WILDCARDS.has(boundHost)) names.add(bracket(boundHost.replace(/^\[|\]$/g, '')).toLowerCase())
  else
    for (const entries of Object.values(networkInterfaces()))
      for (const entry of entries ?? []) names.add(bracket(entry.address).toLowerCase())
  return names
}

/** `host[:port]` split the way browsers write it, the name lower-cased; null when it is not one. */
function hostOf(value: string): { name: string; port: string } | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(value.trim())
  return match ? { name: match[1]!.toLowerCase(), port: match[2] ?? '80' } : null
}

/**
 * True when the request names this server (`Host`) and, when a browser sent it, comes from a page of this
 * server (`Origin`). Clients that are not browsers (the CLI, scripts) send no `Origin`; they still need
 * the token.
 */
export function isAllowedRequest(request: IncomingMessage, names: ReadonlySet<string>, port: number): boolean {
  const host = hostOf(request.headers.host ?? '')
  if (!host || !names.has(host.name) || host.port !== String(port)) return false
  const origin = request.headers.origin
  if (origin === undefined) return true
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  const from = hostOf(url.host)
  return url.protocol === 'http:' && from !== null && names.has(from.name) && from.port === String(port)
}
