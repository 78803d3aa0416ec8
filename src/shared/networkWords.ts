/**
 * Network failures in plain words. Node and undici report them as errno codes inside `cause`
 * ("getaddrinfo ENOTFOUND huggingface.co", "connect ECONNREFUSED 127.0.0.1:443", "fetch failed"); those
 * codes stop here, where the models service and the grid client meet the network, and the page only ever gets
 * the sentence.
 */

const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN'])
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])
const CUT_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED'])

/** The errno-like code of a failed request, looked for through its `cause` chain. */
function codeOf(error: unknown): string | null {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; name?: unknown; cause?: unknown }
    if (typeof candidate.code === 'string') return candidate.code
    if (candidate.name === 'TimeoutError') return 'ETIMEDOUT'
    current = candidate.cause
  }
  return null
}

/** Host and port of an absolute URL, userinfo skipped (a regex: src/shared has no URL class to lean on). */
const HOST_AND_PORT = /^[a-z][a-z\d+.-]*:\/\/(?:[^@/\\?#]*@)?([^/\\?#]+)/i

/** The host part of a URL, for the sentence ("huggingface.co", "127.0.0.1:7001"). */
function hostOf(url: string, unnamed: string): string {
  return HOST_AND_PORT.exec(url)?.[1]?.toLowerCase() ?? unnamed
}

/** True when the failure means this PC cannot reach the host at all (offline, no DNS, no route, no answer). */
export function isUnreachable(error: unknown): boolean {
  const code = codeOf(error)
  return code === null || OFFLINE_CODES.has(code) || TIMEOUT_CODES.has(code) || code === 'ECONNREFUSED'
}

/** True when the failure carries an errno-like code (its message would show it raw). */
export function hasNetworkCode(error: unknown): boolean {
  return codeOf(error) !== null
}

/** One sentence for a request to `url` that failed before (or while) the server answered; `unnamed` names a URL that does not parse. */
export function networkSentence(url: string, error: unknown, unnamed = 'the model host'): string {
  const host = hostOf(url, unnamed)
  const code = codeOf(error)
  if (code && OFFLINE_CODES.has(code)) return `Cannot reach ${host}: this PC seems to be offline.`
  if (code && TIMEOUT_CODES.has(code)) return `${host} did not answer in time; the network may be down or very slow.`
  if (code === 'ECONNREFUSED') return `${host} refused the connection; the server is down or the address is wrong.`
  if (code && CUT_CODES.has(code)) return `The connection to ${host} was cut off.`
  if (code && /^(CERT_|ERR_TLS|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)) {
    return `The secure connection to ${host} could not be checked (its certificate was refused).`
  }
  return `Cannot reach ${host}.`
}
