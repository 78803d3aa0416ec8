import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** How the scripted server answers one path. */
export type Route = (request: IncomingMessage, body: Record<string, unknown>, response: ServerResponse) => void

/** A scripted OpenAI-compatible server on 127.0.0.1: each test says how it answers; every request is kept. */
export interface ScriptedServer {
  /** The origin, `http://127.0.0.1:<port>` (the OpenAI API is under `/v1`). */
  origin: string
  port: number
  routes: Record<string, Route>
  seen: Array<{ path: string; body: Record<string, unknown>; authorization: string | undefined }>
  close(): Promise<void>
}

export const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))

export const sse = (response: ServerResponse, events: unknown[], done = true) => {
  response.writeHead(200, { 'content-type': 'text/event-stream' })
  for (const event of events) response.write(`data: ${JSON.stringify(event)}\n\n`)
  if (done) response.end('data: [DONE]\n\n')
}

export const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  choices: [{ index: 0, delta, finish_reason: finish }],
})

/** A llama.cpp-like server that streams `reply`, takes tools and schemas, and reports its context in /props. */
export function healthyRoutes(model = 'tiny', reply = 'Hi'): Record<string, Route> {
  return {
    '/v1/models': (_q, _b, r) => json(r, 200, { object: 'list', data: [{ id: model, object: 'model' }] }),
    '/props': (_q, _b, r) => json(r, 200, { default_generation_settings: { n_ctx: 4096 } }),
    '/v1/chat/completions': (_q, body, r) => {
      if (body.stream)
        return sse(r, [
          chunk({ role: 'assistant', content: '' }),
          chunk({ content: reply }, 'stop'),
          { choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } },
        ])
      json(r, 200, { choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }] })
    },
  }
}

export async function startScriptedServer(routes: Record<string, Route> = healthyRoutes(), port = 0): Promise<ScriptedServer> {
  const seen: ScriptedServer['seen'] = []
  const scripted = { routes } as { routes: Record<string, Route> }
  const server: Server = createServer((request, response) => {
    let raw = ''
    request.on('data', (piece: Buffer) => (raw += piece.toString()))
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0]!
      let body: Record<string, unknown> = {}
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
      } catch {
        return void json(response, 400, { error: { message: 'not JSON' } })
      }
      seen.push({ path, body, authorization: request.headers.authorization })
      const route = scripted.routes[path]
      if (!route) return void json(response, 404, { error: { message: 'no such route' } })
      route(request, body, response)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const actual = (server.address() as AddressInfo).port
  return {
    origin: `http://127.0.0.1:${actual}`,
    port: actual,
    get routes() {
      return scripted.routes
    },
    set routes(next) {
      scripted.routes = next
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
