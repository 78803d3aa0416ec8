import { randomInt, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { AipgRoutes } from './aipgRoutes.js'
import { AipgHub } from './aipgSocket.js'
import { downPage, gonePage, notFoundPage, sendReply, type Reply } from './errors.js'
import { hordePayload } from './hordePayload.js'
import { HordeRoutes } from './hordeRoutes.js'
import { BodyTooLarge, readContext } from './http.js'
import { AipgQueue, HordeQueue, type AipgJob } from './jobQueue.js'
import { GridState, resolveOptions } from './state.js'
import type { DevGrid, DevGridOptions } from './types.js'

export type {
  AipgLedgerRow,
  AipgRecords,
  AipgResult,
  CannedReply,
  DevEnrollment,
  DevGrid,
  DevGridEvent,
  DevGridOptions,
  DevRig,
  Faults,
  HordeRecords,
  MergedToolCall,
  Network,
  RewardInput,
} from './types.js'

const WS_PATH = '/v1/workers/ws'

/**
 * Starts a local grid on 127.0.0.1 that speaks AIPG's worker WebSocket and AI Horde's REST
 * polling like the real servers (docs: /work/shared/grid-protocol.md), with fault knobs.
 */
export async function startDevGrid(options: DevGridOptions = {}): Promise<DevGrid> {
  const state = new GridState(resolveOptions(options))
  const mode = state.options.mode
  const hordeQueue = new HordeQueue()
  const aipgQueue = new AipgQueue()
  const hub = new AipgHub(state, aipgQueue)
  const horde = new HordeRoutes(state, hordeQueue)
  const newJob = (model: string | undefined, request: Record<string, unknown>): AipgJob => ({
    id: randomUUID(),
    model,
    request,
    seed: Number.isInteger(request.seed) ? Number(request.seed) : randomInt(0, 2 ** 31 - 1),
    generationRequeues: 0,
    struck: new Set(),
  })
  const aipg = new AipgRoutes(state, hub, newJob)
  state.faults.whenDown(() => hub.dropAll())

  const route = (req: IncomingMessage, res: ServerResponse, at: number): Promise<void> =>
    readContext(req, at).then(
      (ctx) => {
        const legacy = ctx.path === '/api/v2' || ctx.path.startsWith('/api/v2/')
        let reply: Reply | 'streaming' | undefined
        if (mode === 'aipg' && (legacy || ctx.path.startsWith('/v2/'))) reply = gonePage
        else if (legacy) reply = horde.handle(ctx)
        else if (mode !== 'horde') reply = aipg.handle(ctx, res)
        if (reply !== 'streaming') sendReply(res, reply ?? notFoundPage)
      },
      (error: unknown) => {
        const tooLarge = error instanceof BodyTooLarge
        sendReply(res, { status: tooLarge ? 413 : 400, body: { message: 'Unreadable request' } })
      },
    )

  const server = createServer((req, res) => {
    const at = Date.now()
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    state.requests.push({ at, method: req.method ?? 'GET', path, credential: credentialOf(req) })
    res.setHeader('Horde-Node', state.hordeNode())
    if (state.faults.down) {
      req.resume()
      sendReply(res, downPage)
      return
    }
    route(req, res, at).catch(() => sendReply(res, { status: 500, body: { message: 'Internal Server Error' } }))
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    state.requests.push({ at: Date.now(), method: 'WS', path, credential: credentialOf(req) })
    if (state.faults.down) return refuseUpgrade(socket, 503, 'Service Unavailable')
    if (path !== WS_PATH || mode === 'horde') return refuseUpgrade(socket, 404, 'Not Found')
    hub.upgrade(req, socket, head)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(state.options.port, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  state.port = typeof address === 'object' && address ? address.port : 0
  const url = `http://127.0.0.1:${state.port}`

  let closing: Promise<void> | undefined
  return {
    url,
    wsUrl: `ws://127.0.0.1:${state.port}${WS_PATH}`,
    port: state.port,
    enqueueAipg(job) {
      const created = newJob(job.model, job.request)
      hub.enqueue(created)
      return created.id
    },
    enqueueHorde(job) {
      const n = job.n ?? 1
      if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error('enqueueHorde: n must be 1 to 20')
      return hordeQueue.add(job.models ?? [], hordePayload(job.payload), n, job.nsfw ?? false)
    },
    pendingJobs: () => ({ aipg: aipgQueue.list().length, horde: hordeQueue.pending() }),
    dropAipgConnections: () => hub.dropAll(),
    approveEnrollment: (id, sign, apiKey = 'dev-key-alice') => aipg.enrollment.approveWith(id, sign, apiKey),
    denyEnrollment: (id) => void aipg.enrollment.deny(id),
    aipg: state.aipg,
    horde: state.horde,
    requests: state.requests,
    faults: state.faults,
    waitFor: (predicate, timeoutMs = 10_000, what = 'condition') => waitFor(predicate, timeoutMs, what),
    close() {
      closing ??= (async () => {
        await hub.close()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
      })()
      return closing
    },
  }
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const check = () => {
      let done = false
      try {
        done = predicate()
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
        return
      }
      if (done) resolve()
      else if (Date.now() >= deadline) reject(new Error(`devGrid.waitFor: timed out after ${timeoutMs} ms waiting for ${what}`))
      else setTimeout(check, 10)
    }
    check()
  })
}

/** The key a request carries in a header (`apikey`, or `Authorization: Bearer`); AIPG workers send theirs in the registration. */
function credentialOf(req: IncomingMessage): string | null {
  const apikey = req.headers.apikey
  if (typeof apikey === 'string') return apikey
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')
  return bearer?.[1] ?? null
}
