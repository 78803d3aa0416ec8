import type { GridCredentials } from '../../../grid/gridAuth.js'

/** How to reach one grid as a chat client. The key stays in the host: it is only put on the wire. */
export interface GridEndpoint extends GridCredentials {
  /** The grid URL; the grid client's URL rules turn it into each endpoint's address. */
  baseUrl: string
  /** AIPG needs a key; the AI Horde falls back to its anonymous key. Client-Agent is `name:version:url`. */
  apiKey: string | null
  fetch?: typeof fetch
}
