import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** Faults a test can switch on; each applies to GET requests of model files. */
export interface FileServerFaults {
  /** Cut the connection once, after this fraction of the file has been sent. */
  dropAtFraction?: number
  /** Answer this many GETs with 500 before serving. */
  fail500?: number
  /** Serve different bytes than the advertised checksum describes (one byte flipped in the middle). */
  corrupt?: boolean
  /** Ignore Range headers and never advertise `Accept-Ranges`. */
  noRange?: boolean
  /** Advertise `Accept-Ranges: bytes` but answer every GET with the whole file (as some proxies do). */
  rangesIgnored?: boolean
  /** Send at most this many bytes per second (to keep a download in flight long enough to pause or kill it). */
  bytesPerSecond?: number
  /** Advertise the file's sha256 the way Hugging Face does (`X-Linked-ETag`); on by default. */
  advertiseSha256?: boolean
  /** Send no Content-Length (chunked), as some servers and proxies do. */
  noContentLength?: boolean
  /** Send the first this-many bytes alone, then wait a moment before the rest (a tiny first chunk). */
  firstChunkBytes?: number
}

/** One request as the server saw it. */
export interface FileRequest {
  method: string
  path: string
  range: string | null
  status: number
}

/** A loopback HTTP file server for download tests, with Range support and injectable faults. */
export interface FileServer {
  url(name: string): string
  /** `http://127.0.0.1:<port>`, e.g. as `HF_ENDPOINT`. */
  readonly origin: string
  readonly requests: FileRequest[]
  /** The most GETs of model files that were being answered at the same time. */
  readonly peakConcurrentGets: number
  faults: FileServerFaults
  sha256(name: string): string
  close(): Promise<void>
}

/** Serves `files` (name → path on disk) on 127.0.0.1. Unknown names answer 404. */
export async function startFileServer(files: Record<string, string>, faults: FileServerFaults = {}): Promise<FileServer> {
  const bodies = new Map(Object.entries(files).map(([name, path]) => [name, readFileSync(path)]))
  const hashes = new Map([...bodies].map(([name, body]) => [name, createHash('sha256').update(body).digest('hex')]))
  const requests: FileRequest[] = []
  const sockets = new Set<Socket>()
  let dropped = false
  let concurrentGets = 0
  let peakConcurrentGets = 0
  const state = { faults }

  const server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1))
    const body = bodies.get(name)
    const record = (status: number) => requests.push({ method: req.method ?? 'GET', path: name, range: req.headers.range ?? null, status })
    if (!body) {
      record(404)
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    const f = state.faults
    if (req.method === 'GET' && (f.fail500 ?? 0) > 0) {
      f.fail500 = (f.fail500 ?? 0) - 1
      record(500)
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error')
      return
    }
    const served = f.corrupt ? corrupted(body) : body
    const range = f.noRange || f.rangesIgnored ? null : parseRange(req.headers.range, body.length)
    const start = range?.start ?? 0
    const end = range?.end ?? body.length - 1
    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream',
      ...(f.noContentLength ? {} : { 'content-length': end - start + 1 }),
      'content-disposition': `attachment; filename="${name}"`,
      etag: `"${hashes.get(name)}"`,
    }
    if (!f.noRange) headers['accept-ranges'] = 'bytes'
    if (f.advertiseSha256 !== false) headers['x-linked-etag'] = `"${hashes.get(name)}"`
    if (range) headers['content-range'] = `bytes ${start}-${end}/${body.length}`
    const status = range ? 206 : 200
    record(status)
    res.writeHead(status, headers)
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    concurrentGets++
    peakConcurrentGets = Math.max(peakConcurrentGets, concurrentGets)
    let answered = false
    const ended = () => {
      if (!answered) concurrentGets--
      answered = true
    }
    res.once('finish', ended).once('close', ended)
    const dropAt = f.dropAtFraction !== undefined && !dropped ? Math.floor(body.length * f.dropAtFraction) : Number.POSITIVE_INFINITY
    void stream(
      res,
      served,
      start,
      end + 1,
      f.bytesPerSecond ?? 0,
      dropAt,
      () => {
        dropped = true
      },
      f.firstChunkBytes,
    )
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: (name) => `http://127.0.0.1:${port}/${name.split('/').map(encodeURIComponent).join('/')}`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    get peakConcurrentGets() {
      return peakConcurrentGets
    },
    get faults() {
      return state.faults
    },
    set faults(next) {
      state.faults = next
    },
    sha256: (name) => hashes.get(name) ?? '',
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

async function stream(
  res: ServerResponse,
  body: Buffer,
  from: number,
  to: number,
  bytesPerSecond: number,
  dropAt: number,
  onDrop: () => void,
  firstChunkBytes?: number,
): Promise<void> {
  const chunk = 16 * 1024
  if (firstChunkBytes !== undefined) {
    res.write(body.subarray(from, from + firstChunkBytes))
    // Long enough for the client to read the tiny chunk on its own.
    await new Promise((resolve) => setTimeout(resolve, 50))
    from += firstChunkBytes
  }
  for (let offset = from; offset < to; offset += chunk) {
    if (res.destroyed) return
    const next = Math.min(offset + chunk, to)
    if (offset < dropAt && next >= dropAt) {
      res.write(body.subarray(offset, dropAt))
      onDrop()
      // Let the bytes before the cut reach the client (a reset discards what it has not read yet), then cut.
      await new Promise((resolve) => setTimeout(resolve, 200))
      res.socket?.destroy()
      return
    }
    if (!res.write(body.subarray(offset, next))) await new Promise((resolve) => res.once('drain', resolve))
    if (bytesPerSecond > 0) await new Promise((resolve) => setTimeout(resolve, (1000 * (next - offset)) / bytesPerSecond))
  }
  res.end()
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header ?? '')
  if (!match) return null
  const start = match[1] === '' ? size - Number(match[2]) : Number(match[1])
  const end = match[1] !== '' && match[2] !== '' ? Math.min(Number(match[2]), size - 1) : size - 1
  return start <= end ? { start, end } : null
}

function corrupted(body: Buffer): Buffer {
  const copy = Buffer.from(body)
  const middle = Math.floor(copy.length / 2)
  copy[middle] = (copy[middle] ?? 0) ^ 0xff
  return copy
}

/** Logs nothing; here so a failing test can print what the server saw. */
export function describeRequests(requests: FileRequest[]): string {
  return requests.map((r) => `${r.method} ${r.path} ${r.range ?? '-'} → ${r.status}`).join('\n')
}
