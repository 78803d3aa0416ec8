import type { ServerResponse } from 'node:http'
import type { z } from 'zod'

/** One HTTP answer. `raw` is sent verbatim; otherwise `body` is sent as JSON. */
export interface Reply {
  status: number
  body?: unknown
  raw?: string
  headers?: Record<string, string>
}

/** Shape 1 (§9): a horde error with a return code. */
export function hordeError(status: number, rc: string, message: string): Reply {
  return { status, body: { message, rc } }
}

/** Shape 2 (§9): flask-restx schema or parser validation, no rc. */
export function validationError(errors: Record<string, string>): Reply {
  return { status: 400, body: { errors, message: 'Input payload validation failed' } }
}

export const MISSING_HEADER = 'Missing required parameter in the HTTP headers'

/** Shape 3 (§9): flask-limiter, no rc, with the limiter's headers. */
export function rateLimited(limit: number, resetAt: number): Reply {
  return {
    status: 429,
    body: { message: `${limit} per 1 second` },
    headers: {
      'Retry-After': '1',
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(Math.ceil(resetAt / 1000)),
    },
  }
}

/** FastAPI errors (AIPG v1 REST) carry only `detail`. */
export function detail(status: number, message: unknown): Reply {
  return { status, body: { detail: message } }
}

const html = { 'Content-Type': 'text/html; charset=utf-8' }

/** Werkzeug's page for an unknown route: HTML, not JSON (§9 shape 4). */
export const notFoundPage: Reply = {
  status: 404,
  headers: html,
  raw:
    '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
    '<p>The requested URL was not found on the server. If you entered the URL manually please ' +
    'check your spelling and try again.</p>\n',
}

/** What a proxy in front of a dead backend answers. */
export const downPage: Reply = {
  status: 503,
  headers: html,
  raw:
    '<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>\n' +
    '<body><center><h1>503 Service Temporarily Unavailable</h1></center>\n' +
    '<hr><center>nginx</center></body></html>\n',
}

/** AIPG's static answer to every legacy Horde path since the retirement (§0). */
export const gonePage: Reply = {
  status: 410,
  headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  raw: 'Gone: the /api/v2 Horde API is retired on this grid. Workers connect to /v1/workers/ws.\n',
}

export const methodNotAllowed: Reply = {
  status: 405,
  body: { message: 'The method is not allowed for the requested URL.' },
}

export const undecodableJson: Reply = {
  status: 400,
  body: {
    message: 'The browser (or proxy) sent a request that this server could not understand.',
  },
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return
  const headers: Record<string, string> = {
    'Content-Type': reply.raw === undefined ? 'application/json' : 'text/html; charset=utf-8',
  }
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    if (name.toLowerCase() === 'content-type') delete headers['Content-Type']
    headers[name] = value
  }
  const text = reply.raw ?? JSON.stringify(reply.body ?? null)
  res.writeHead(reply.status, headers)
  res.end(text)
}

/** Python's repr of a JSON value, as jsonschema puts it into flask-restx messages. */
function pyRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  return JSON.stringify(value)
}

const jsonTypeNames: Record<string, string> = {
  string: 'string',
  number: 'number',
  int: 'integer',
  boolean: 'boolean',
  array: 'array',
  object: 'object',
}

/** Turns zod issues into flask-restx's `errors` map: field path -> jsonschema-style reason. */
export function flaskErrors(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const issue of issues) {
    const path = issue.path.map(String)
    const key = path.join('.')
    const input = 'input' in issue ? issue.input : undefined
    let reason: string
    switch (issue.code) {
      case 'invalid_type':
        reason =
          input === undefined
            ? `'${path.at(-1) ?? ''}' is a required property`
            : `${pyRepr(input)} is not of type '${jsonTypeNames[issue.expected] ?? issue.expected}'`
        break
      case 'too_small':
        reason =
          issue.origin === 'number' || issue.origin === 'int'
            ? `${pyRepr(input)} is less than the minimum of ${String(issue.minimum)}`
            : `${pyRepr(input)} is too short`
        break
      case 'too_big':
        reason =
          issue.origin === 'number' || issue.origin === 'int'
            ? `${pyRepr(input)} is greater than the maximum of ${String(issue.maximum)}`
            : `${pyRepr(input)} is too long`
        break
      case 'invalid_value':
        reason = `${pyRepr(input)} is not one of [${issue.values.map(pyRepr).join(', ')}]`
        break
      default:
        reason = issue.message
    }
    errors[key] ??= reason
  }
  return errors
}
