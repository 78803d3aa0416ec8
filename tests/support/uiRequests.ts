import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../src/shared/wire.js'

/**
 * Requests to a UI server on 127.0.0.1:`port` under whatever `Host` and `Origin` a test names, the way a
 * browser that reached it by another name (a LAN name, a proxy, a rebound DNS name) would send them.
 */
export function uiRequests(port: number, token: string) {
  return {
    /** The status an upgrade to /api gets with these headers (101 when it is accepted). */
    upgradeStatus(headers: Record<string, string>): Promise<number> {
      return new Promise((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port,
          path: '/api',
          headers: {
            Connection: 'Upgrade',
            Upgrade: 'websocket',
            'Sec-WebSocket-Version': '13',
            'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
            'Sec-WebSocket-Protocol': `${WIRE_PROTOCOL}, ${TOKEN_PROTOCOL_PREFIX}${token}`,
            ...headers,
          },
        })
        req.on('upgrade', (response, socket) => {
          socket.destroy()
          resolve(response.statusCode ?? 0)
        })
        req.on('response', (response) => resolve(response.statusCode ?? 0))
        req.on('error', reject)
        req.end()
      })
    },
    /** A page of the UI asked for under `host`. */
    get(path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (response) => {
          let body = ''
          response.on('data', (chunk: Buffer) => (body += chunk.toString()))
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
        })
        req.on('error', reject)
        req.end()
      })
    },
  }
}
