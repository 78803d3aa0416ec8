import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'

/** Bodies past this are refused; no worker or client of the grid sends anything near it. */
const MAX_BODY_BYTES = 1024 * 1024

export interface RequestContext {
  method: string
  path: string
  query: URLSearchParams
  headers: Record<string, string | undefined>
  /** The parsed JSON body; undefined when the body was empty. */
  json: unknown
  /** The body was not JSON. */
  undecodable: boolean
  ip: string
  at: number
}

export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(headers)) {
    flat[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

export class BodyTooLarge extends Error {}

export async function readContext(req: IncomingMessage, at: number): Promise<RequestContext> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge()
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  let json: unknown
  let undecodable = false
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text)
    } catch {
      undecodable = true
    }
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: flattenHeaders(req.headers),
    json,
    undecodable,
    ip: req.socket.remoteAddress ?? 'unknown',
    at,
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** AIPG REST takes the key as `apikey` or as a bearer token (§13.2). */
export function apiKeyOf(headers: Record<string, string | undefined>): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')
  return headers.apikey || bearer?.[1]?.trim() || undefined
}
