import type { GridCredentials } from '../../../grid/gridAuth.js'

/**
 * How to reach one grid as a chat client: its URL (the grid client's rules turn it into each endpoint's
 * address) and the credentials. The key stays in the host: it is only put on the wire. AIPG needs one;
 * the AI Horde falls back to its anonymous key.
 */
export interface GridEndpoint extends GridCredentials {
  baseUrl: string
  fetch?: typeof fetch
}
