import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { z } from 'zod'
import { MAX_REQUEST_BYTES } from '../../shared/limits.js'
import { fail } from '../../shared/result.js'
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type ServerFrame } from '../../shared/wire.js'
import type { Dispatch } from '../host/dispatch.js'
import type { HostEvents } from '../host/events.js'

/** A call frame from the browser client. The request itself is checked by the dispatcher. */
const clientFrameSchema = z.strictObject({
  id: z.number().int().nonnegative(),
  name: z.string().max(64),
  request: z.unknown(),
})

/** Frames beyond this are refused by `ws` itself (connection closed with 1009) before being buffered. */
const HARD_FRAME_LIMIT = 8 * MAX_REQUEST_BYTES

/**
 * Bytes the host holds for one client that is not reading. Far above what a working UI ever lags behind
 * (event frames are small); past it the client is dropped rather than the host growing without limit.
 */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024

/** Who may connect besides holding the token: the request must name this server and come from its pages. */
export type RequestCheck = (request: IncomingMessage) => boolean

/**
 * Binds the host's API to a WebSocket at `/api`. Every connection must present the token (as a
 * subprotocol, so it never appears in URLs or access logs); a wrong or missing one gets HTTP 401.
 */
export function bindWebSocket(server: Server, token: string, dispatch: Dispatch, events: HostEvents, allowed: RequestCheck) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_FRAME_LIMIT,
    handleProtocols: (protocols) => (protocols.has(WIRE_PROTOCOL) ? WIRE_PROTOCOL : false),
  })
  const expected = Buffer.from(token)

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (url.pathname !== '/api') return refuse(socket, 404, 'Not Found')
    if (!allowed(request)) return refuse(socket, 403, 'Forbidden')
    if (!hasToken(request, expected)) return refuse(socket, 401, 'Unauthorized')
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  })

  wss.on('connection', (ws: WebSocket) => {
    const send = (frame: ServerFrame) => {
      if (ws.readyState !== ws.OPEN) return
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.terminate()
        return
      }
      ws.send(JSON.stringify(frame))
    }
    const unsubscribe = events.subscribe((name, payload) => send({ type: 'event', name, payload } as ServerFrame))
    ws.on('close', unsubscribe)
    ws.on('error', unsubscribe)
    ws.on('message', (data, isBinary) => {
      void handleFrame(data as Buffer, isBinary, send, dispatch)
    })
  })

  return wss
}

async function handleFrame(data: Buffer, isBinary: boolean, send: (frame: ServerFrame) => void, dispatch: Dispatch): Promise<void> {
  let json: unknown
  try {
    json = isBinary ? undefined : JSON.parse(data.toString('utf8'))
  } catch {
    json = undefined
  }
  const frame = clientFrameSchema.safeParse(json)
  // Without a readable id there is nobody to answer; the frame is dropped.
  const id = typeof (json as { id?: unknown })?.id === 'number' ? (json as { id: number }).id : -1
  if (data.byteLength > MAX_REQUEST_BYTES) {
    send({ type: 'result', id, result: fail('BAD_REQUEST', 'The request is too large.') })
    return
  }
  if (!frame.success) {
    send({ type: 'result', id, result: fail('BAD_REQUEST', 'Malformed request frame.') })
    return
  }
  const result = await dispatch(frame.data.name, frame.data.request)
  send({ type: 'result', id: frame.data.id, result })
}

function hasToken(request: IncomingMessage, expected: Buffer): boolean {
  const header = request.headers['sec-websocket-protocol'] ?? ''
  const offered = header
    .split(',')
    .map((part) => part.trim())
    .find((part) => part.startsWith(TOKEN_PROTOCOL_PREFIX))
  if (!offered) return false
  const given = Buffer.from(offered.slice(TOKEN_PROTOCOL_PREFIX.length))
  return given.length === expected.length && timingSafeEqual(given, expected)
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}
