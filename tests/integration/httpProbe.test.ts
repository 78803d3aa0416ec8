import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { probeRemoteFile } from '../../src/main/models/httpTransfer.js'

const servers: Server[] = []
afterEach(() => servers.splice(0).forEach((server) => server.close()))

async function serve(handler: (headers: IncomingHttpHeaders) => { status: number; headers: Record<string, string> }): Promise<string> {
  const server = createServer((req, res) => {
    const reply = handler(req.headers)
    res.writeHead(reply.status, reply.headers).end()
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('asking a model host about a file before downloading it', () => {
  it('reads the advertised sha256 from the first answer, whether the CDN serves ranges, and sends the token only to the host it is for', async () => {
    const sha = 'ab'.repeat(32)
    const seenByCdn: IncomingHttpHeaders[] = []
    const cdn = await serve((headers) => {
      seenByCdn.push(headers)
      return { status: 200, headers: { 'content-length': '1234', 'accept-ranges': 'bytes' } }
    })
    const hub = await serve((headers) => ({
      status: headers.authorization === 'Bearer hf_secret' ? 302 : 401,
      headers: { location: `${cdn}/blob`, 'x-linked-etag': `"${sha}"`, 'x-linked-size': '1234' },
    }))
    const info = await probeRemoteFile(`${hub}/model.gguf`, { authorization: 'Bearer hf_secret' }, AbortSignal.timeout(5000))
    expect(info).toEqual({ sizeBytes: 1234, sha256: sha, acceptsRanges: true })
    expect(seenByCdn).toHaveLength(1)
    expect(seenByCdn[0]!.authorization).toBeUndefined()
  })
})
