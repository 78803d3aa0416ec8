import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Host } from '../host/createHost.js'
import { allowedHostNames, isAllowedRequest } from './allowedOrigins.js'
import { staticFiles } from './staticFiles.js'
import { SECURITY_HEADERS } from './securityHeaders.js'
import { bindWebSocket } from './webSocketBinding.js'

/** Where the headless host listens and what it serves. */
export interface HeadlessServerOptions {
  host: string
  port: number
  /** The access token; generated when absent. */
  token?: string
  rendererDir: string
  /** Further names the UI may be reached by on any port, http or https (a LAN name, a reverse proxy's); see `allowedHostName`. */
  allowedHosts?: readonly string[]
}

/** A running headless server. */
export interface HeadlessServer {
  url: string
  /** The URL to open: carries the token in the fragment, which browsers never send to the server. */
  openUrl: string
  token: string
  close(): Promise<void>
}

/** Serves the UI over HTTP and the host's API over a token-guarded WebSocket. */
export async function startHeadlessServer(host: Host, options: HeadlessServerOptions): Promise<HeadlessServer> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const serve = staticFiles(options.rendererDir)
  const names = allowedHostNames(options.host, options.allowedHosts)
  let port = options.port
  const allowed = (request: IncomingMessage) => isAllowedRequest(request, names, port)
  const server: Server = createServer((request, response) => {
    if (!allowed(request)) {
      response.writeHead(421, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end('This server does not answer to that name.\n')
      return
    }
    serve(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500)
      response.end()
    })
  })
  const wss = bindWebSocket(server, token, host.dispatch, host.events, allowed)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address() as AddressInfo
  port = address.port
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${hostPart}:${address.port}/`
  return {
    url,
    openUrl: `${url}#token=${token}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
