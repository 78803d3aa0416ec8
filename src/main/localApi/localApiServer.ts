import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Engine } from '../engine/engine.js'
import type { LocalApiContext, ServedModel } from './context.js'
import { hasBearer, HttpError, sendJson } from './http.js'
import { handleKobold } from './koboldRoutes.js'
import { handleOpenAi } from './openAiRoutes.js'
import { RequestQueue } from './requestQueue.js'

/** Options of the local API server. */
export interface LocalApiOptions {
  host: string
  port: number
  token: string
  /** Origins allowed by CORS; none by default, so web pages cannot call the API. */
  corsOrigins?: string[]
  /** Generations at once, and requests allowed to wait, before 429. */
  maxActive?: number
  maxQueued?: number
  /** The model the user's own server serves, if any (bridge mode). */
  served?: () => ServedModel | null
}

/** A running local API. */
export interface LocalApi {
  url: string
  close(): Promise<void>
}

/**
 * The OpenAI- and KoboldAI-compatible HTTP API for other apps, sharing the host's one loaded model.
 * Every request needs `Authorization: Bearer <token>`.
 */
export async function startLocalApi(engine: Engine, beginLocalUse: () => () => void, options: LocalApiOptions): Promise<LocalApi> {
  const ctx: LocalApiContext = {
    engine,
    queue: new RequestQueue(options.maxActive ?? 2, options.maxQueued ?? 8),
    beginLocalUse,
    served: options.served,
  }
  const server = createServer((request, response) => {
    void handle(ctx, options, request, response)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function handle(ctx: LocalApiContext, options: LocalApiOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/'
  const isOpenAi = path.startsWith('/v1/')
  try {
    const origin = request.headers.origin
    if (origin && options.corsOrigins?.includes(origin)) {
      response.setHeader('Access-Control-Allow-Origin', origin)
      response.setHeader('Vary', 'Origin')
      if (request.method === 'OPTIONS') {
        response
          .writeHead(204, { 'Access-Control-Allow-Headers': 'Authorization, Content-Type', 'Access-Control-Allow-Methods': 'GET, POST' })
          .end()
        return
      }
    }
    if (!hasBearer(request, options.token)) {
      throw new HttpError(
        401,
        'Missing or wrong API token: send "Authorization: Bearer <token>" (see GridForge Settings).',
        'invalid_request_error',
        null,
        { 'WWW-Authenticate': 'Bearer' },
      )
    }
    const handled = isOpenAi ? await handleOpenAi(ctx, request, response, path) : await handleKobold(ctx, request, response, path)
    if (!handled) throw new HttpError(404, `No route ${request.method} ${path}.`)
  } catch (error) {
    const http = error instanceof HttpError ? error : new HttpError(500, 'The request failed inside GridForge.', 'server_error')
    if (http.status === 499 || response.headersSent) {
      response.end()
      return
    }
    const body = isOpenAi
      ? {
          error: {
            message: http.message,
            type: http.type,
            param: http.param,
            code: http.status === 404 && http.param === 'model' ? 'model_not_found' : null,
          },
        }
      : { detail: { msg: http.message, type: http.type } }
    sendJson(response, http.status, body, http.headers)
  }
}
