import { z } from 'zod'

/** Hosts a plain `http:` grid may have: a grid on this PC (a dev grid) cannot be overheard on the network. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

const webAddress = z.url({ protocol: /^https?$/ })

/** Scheme and host of a URL; userinfo is skipped, and `\` ends the host as browsers read it. */
const SCHEME_AND_HOST = /^([a-z][a-z\d+.-]*):\/\/(?:[^@/\\?#]*@)?(\[[^\]]*\]|[^:/\\?#]*)/i

/**
 * Why a grid URL cannot be used, in words for the user (no final period: it ends a sentence of the
 * caller's); null when it can. Empty means the network's own grid. The API key travels to this URL, so
 * it must be https, except for a grid on this PC.
 */
export function gridUrlProblem(value: string): string | null {
  if (value === '') return null
  const parts = SCHEME_AND_HOST.exec(value)
  if (!webAddress.safeParse(value).success || !parts || hasControlOrSpace(value)) {
    return "the grid URL is not a web address; use one like https://api.aipowergrid.io, or leave it empty for the network's own grid"
  }
  const scheme = parts[1]!.toLowerCase()
  if (scheme === 'https') return null
  if (LOOPBACK_HOSTS.has(parts[2]!.toLowerCase())) return null
  return 'the grid URL must start with https:// (your API key is sent to it); plain http:// is allowed only for a grid on this PC (127.0.0.1, localhost or ::1)'
}

/** Browsers drop tabs and newlines inside URLs, which would let a host hide behind them. */
function hasControlOrSpace(value: string): boolean {
  return [...value].some((char) => char.charCodeAt(0) <= 0x20 || char.charCodeAt(0) === 0x7f)
}
