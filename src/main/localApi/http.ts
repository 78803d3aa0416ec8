import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Largest request body the local API accepts. */
export const MAX_BODY_BYTES = 1024 * 1024

/** An HTTP failure with the status and the JSON body each API family expects. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

/** Reads and parses a JSON body; 413 past the limit, 400 for anything that is not JSON. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`)
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.')
  }
}

/** Sends a JSON answer. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers })
  response.end(text)
}

/** Starts a server-sent-events answer and returns a writer for its events. */
export function startSse(response: ServerResponse) {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  })
  response.flushHeaders()
  return {
    data: (payload: unknown) => response.write(`data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`),
    event: (name: string, payload: unknown) => response.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`),
    end: () => response.end(),
  }
}

/** True when the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function hasBearer(request: IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')
  if (!match?.[1]) return false
  const given = Buffer.from(match[1])
  const expected = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** Aborts when the client goes away before the answer is complete (closed tab, cancelled request). */
export function abortOnDisconnect(request: IncomingMessage, response: ServerResponse): AbortSignal {
  const controller = new AbortController()
  response.on('close', () => {
    if (!response.writableFinished) controller.abort()
  })
  request.on('aborted', () => controller.abort())
  return controller.signal
}
