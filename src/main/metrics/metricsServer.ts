import { createServer, type Server } from 'node:http'
import type { Registry } from 'prom-client'

/** A running `/metrics` endpoint. */
export interface MetricsEndpoint {
  url: string
  close(): Promise<void>
}

/** Where to serve, and what to say about it: a warning for a non-loopback host, one sentence when it failed. */
export type MetricsStart = { ok: true; endpoint: MetricsEndpoint; warning: string | null } | { ok: false; message: string }

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])
/** One rendering serves every scrape within this long: a scrape storm costs one rendering per interval. */
const RENDER_MAX_AGE_MS = 1000

/**
 * Serves `GET /metrics` in the Prometheus text format. Failing to listen (the port is taken) never throws: the
 * caller prints the sentence and goes on earning without metrics.
 */
export async function startMetricsServer(
  registry: Registry,
  options: { host: string; port: number; now?: () => number; /** How the sentence for a port in use ends. */ pickAnother?: string },
): Promise<MetricsStart> {
  const now = options.now ?? Date.now
  let rendered: { at: number; text: Promise<string> } | null = null
  const render = () => {
    if (!rendered || now() - rendered.at >= RENDER_MAX_AGE_MS) rendered = { at: now(), text: registry.metrics() }
    return rendered.text
  }
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found; metrics are at /metrics.\n')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    render().then(
      (text) =>
        response
          .writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' })
          .end(request.method === 'HEAD' ? undefined : text),
      () => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The metrics could not be read.\n'),
    )
  })
  // Prometheus scrapes keep connections open; a slow client may not hold one forever.
  server.requestTimeout = 10_000
  server.headersTimeout = 5_000
  const listened = await listen(server, options.host, options.port, options.pickAnother ?? 'pick another with --metrics-port')
  if (listened) return { ok: false, message: listened }
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    ok: true,
    endpoint: { url: `http://${shownHost}:${port}/metrics`, close: () => closeServer(server) },
    warning: LOOPBACK.has(options.host)
      ? null
      : `metrics on ${options.host} can be read from other machines (jobs, rewards, models; no keys or prompts).`,
  }
}

/** Resolves with null once listening, or with the sentence that says why not. */
function listen(server: Server, host: string, port: number, pickAnother: string): Promise<string | null> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      if (error.code === 'EADDRINUSE') resolve(`Metrics port ${port} is already in use, so metrics are off; ${pickAnother}.`)
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        resolve(`Metrics host ${host} is not an address of this machine, so metrics are off.`)
      else if (error.code === 'EACCES') resolve(`Metrics port ${port} needs more permissions, so metrics are off; pick one above 1024.`)
      else resolve(`Metrics could not start (${error.code ?? error.message}), so metrics are off.`)
    }
    const onListening = () => {
      server.off('error', onError)
      resolve(null)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
