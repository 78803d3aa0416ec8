import type { GridNetwork } from '../shared/domain.js'

/** The AI Horde's anonymous key: it may request generations, at the lowest priority, but never run a worker (§2). */
export const HORDE_ANONYMOUS_KEY = '0000000000'

/** Where people can learn about the worker; the third part of the bridge agent. */
const AGENT_URL = 'https://aipowergrid.io'

/** `GridForge:<version>:<url>`, the bridge agent and Client-Agent (grid-protocol.md §2). */
export function bridgeAgent(version: string): string {
  return `GridForge:${version}:${AGENT_URL}`
}

/** Who is asking: the key (null: none stored) and the Client-Agent. */
export interface GridCredentials {
  apiKey: string | null
  agent: string
}

/**
 * The headers of a REST request. The AI Horde takes the key as `apikey` and falls back to its anonymous
 * key; AIPG takes it as a bearer token (it also reads `apikey`, §13.2) and has no anonymous access. Both
 * get the Client-Agent. The AIPG worker socket carries its key in the registration frame instead.
 */
export function gridHeaders(
  network: GridNetwork,
  credentials: GridCredentials,
  body: { json?: boolean; accept?: string } = {},
): Record<string, string> {
  const headers: Record<string, string> = { 'Client-Agent': credentials.agent }
  if (network === 'horde') headers.apikey = credentials.apiKey ?? HORDE_ANONYMOUS_KEY
  else if (credentials.apiKey) headers.Authorization = `Bearer ${credentials.apiKey}`
  if (body.json) headers['Content-Type'] = 'application/json'
  if (body.accept) headers.Accept = body.accept
  return headers
}
