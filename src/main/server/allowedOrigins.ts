import type { IncomingMessage } from 'node:http'
import { networkInterfaces } from 'node:os'

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]']
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', ''])
/** A DNS name (labels of letters, digits and inner hyphens) or an IPv4 address. */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/
const IPV6 = /^\[?([0-9a-f:.]*:[0-9a-f:.]*)\]$|^([0-9a-f:.]*:[0-9a-f:.]*)$/

/** The names a request may use to reach this server. */
export interface AllowedNames {
  /** Its own names (loopback, the bound address or every interface's): only on the port it listens on, over http. */
  own: ReadonlySet<string>
  /** Names the user vouched for (`--allowed-host`: a LAN name, a reverse proxy's): on any port, http or https. */
  vouched: ReadonlySet<string>
}

/**
 * The names a browser may use to reach this server: the loopback names, the address it was bound to,
 * and, bound to every interface, each interface's address; and the `vouched` names as given. A page served
 * from anywhere else (DNS rebinding gives an attacker's name our address) is refused before the token is even
 * looked at.
 */
export function allowedHostNames(boundHost: string, vouched: readonly string[] = []): AllowedNames {
  const own = new Set(LOOPBACK_NAMES)
  const bracket = (address: string) => (address.includes(':') ? `[${address}]` : address)
  if (!WILDCARDS.has(boundHost)) own.add(bracket(boundHost.replace(/^\[|\]$/g, '')).toLowerCase())
  else
    for (const entries of Object.values(networkInterfaces()))
      for (const entry of entries ?? []) own.add(bracket(entry.address).toLowerCase())
  return { own, vouched: new Set(vouched.map((name) => allowedHostName(name) ?? name.toLowerCase())) }
}

/**
 * A name as `--allowed-host` takes it (`rig1.local`, `gridforge.example.com`, an IP address), lower-cased and
 * an IPv6 address in brackets the way a Host header writes it; null when it is not a bare host name (a URL,
 * a port, a path, a wildcard).
 */
export function allowedHostName(value: string): string | null {
  const name = value.trim().toLowerCase()
  if (DNS_NAME.test(name)) return name
  const ipv6 = IPV6.exec(name)
  const address = ipv6?.[1] ?? ipv6?.[2]
  return address ? `[${address}]` : null
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
export function isAllowedRequest(request: IncomingMessage, names: AllowedNames, port: number): boolean {
  const host = hostOf(request.headers.host ?? '')
  if (!host || !(names.vouched.has(host.name) || (names.own.has(host.name) && host.port === String(port)))) return false
  const origin = request.headers.origin
  if (origin === undefined) return true
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  const from = hostOf(url.host)
  if (!from) return false
  // Behind a TLS proxy the page is https; a vouched-for name is the user's own, whichever port it shows.
  if (names.vouched.has(from.name)) return url.protocol === 'http:' || url.protocol === 'https:'
  return url.protocol === 'http:' && names.own.has(from.name) && from.port === String(port)
}
