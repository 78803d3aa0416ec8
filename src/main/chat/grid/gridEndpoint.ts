/** How to reach one grid as a chat client. The key stays in the host: it is only put on the wire. */
export interface GridEndpoint {
  baseUrl: string
  /** AIPG needs a key; the AI Horde falls back to its anonymous key. */
  apiKey: string | null
  /** Client-Agent, `name:version:url`. */
  agent: string
  fetch?: typeof fetch
}

/** The endpoint's URL for a path, without a doubled slash. */
export function endpointUrl(endpoint: GridEndpoint, path: string): string {
  return endpoint.baseUrl.replace(/\/+$/, '') + path
}
