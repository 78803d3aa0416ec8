import type { EventName, Events } from './api.js'
import type { Result } from './result.js'

/** A frame sent by the host over the WebSocket. */
export type ServerFrame =
  { type: 'result'; id: number; result: Result<unknown> } | { [E in EventName]: { type: 'event'; name: E; payload: Events[E] } }[EventName]

/** WebSocket subprotocol that carries the access token, so it stays out of URLs and logs. */
export const TOKEN_PROTOCOL_PREFIX = 'gridforge-token.'
/** The protocol version the server answers with. */
export const WIRE_PROTOCOL = 'gridforge.v1'
