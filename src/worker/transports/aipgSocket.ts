import { rootCertificates } from 'node:tls'
import WebSocket from 'ws'
import { z } from 'zod'
import type { AipgRegistration } from '../../grid/aipgRegistration.js'
import type { WorkerIdentityProof } from '../../grid/identity/registration.js'
import {
  classifyClose,
  closeError,
  registrationStopped,
  registrationTimeout,
  upgradeRefused,
  type CloseInfo,
} from '../../grid/aipgSocketErrors.js'
import { jobRewardSchema } from '../rewards.js'
import { unreachableError, type GridError } from '../../grid/gridError.js'

/** A job pushed by the grid. `payload.request` is an OpenAI chat-completions body, still unchecked. */
export interface AipgJob {
  id: string
  model: string
  request: unknown
  fallbackMaxLength: number | undefined
}

const serverFrameSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('ready'), worker_id: z.string().optional() }),
  z.looseObject({ type: z.literal('ping') }),
  z.looseObject({
    type: z.literal('job'),
    id: z.string().min(1),
    model: z.string().optional().default(''),
    payload: z
      .looseObject({ request: z.unknown().optional(), max_length: z.number().optional().catch(undefined) })
      .optional()
      .default({}),
  }),
  z.looseObject({ type: z.literal('cancel'), id: z.string() }),
  z.looseObject({ type: z.literal('ack'), id: z.string(), den: jobRewardSchema.optional().catch(undefined) }),
  z.looseObject({ type: z.literal('error'), message: z.string().optional().catch(undefined) }),
])

/** How long the grid gives us to register, and how long we wait for its `ready`. */
const READY_TIMEOUT_MS = 30_000
/** The reference worker waits this long for an `ack` after `done` before closing. */
export const ACK_TIMEOUT_MS = 10_000
/** WebSocket pings keep NAT entries alive and prove the peer is there (the reference worker: 30 s). */
const PING_INTERVAL_MS = 30_000
/** The grid pings idle workers every ~10 s: this much silence means the connection is dead. */
const SILENCE_LIMIT_MS = 75_000

/** One registered connection to the AIPG worker WebSocket. Serves one job at a time. */
export class AipgConnection {
  private jobListener: ((job: AipgJob) => void) | null = null
  /** The grid may push a job in the same tick as `ready`, before anyone listens: keep it, never drop it. */
  private readonly earlyJobs: AipgJob[] = []
  private cancelListener: (id: string) => void = () => undefined
  private readonly acks = new Map<string, (den: number | null) => void>()
  readonly closed: Promise<CloseInfo>

  private lastHeard = Date.now()

  private constructor(
    private readonly ws: WebSocket,
    readonly workerId: string,
    closed: Promise<CloseInfo>,
    private readonly lastError: { text: string | null },
  ) {
    // A laptop that slept or a dropped NAT entry leaves a socket that never closes by itself.
    const heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) ws.terminate()
      else if (ws.readyState === WebSocket.OPEN) ws.ping()
    }, PING_INTERVAL_MS)
    heartbeat.unref?.()
    ws.on('pong', () => (this.lastHeard = Date.now()))
    this.closed = closed.then((info) => {
      clearInterval(heartbeat)
      for (const settle of this.acks.values()) settle(null)
      this.acks.clear()
      return info
    })
    ws.on('message', (data) => {
      this.lastHeard = Date.now()
      this.onFrame(data)
    })
  }

  /** Connects and registers; resolves once the grid says `ready`. Refusals reject with a `GridError`. */
  static open(
    url: string,
    registration: AipgRegistration & { worker_identity?: WorkerIdentityProof },
    extraCa: string | undefined,
    signal?: AbortSignal,
  ): Promise<AipgConnection> {
    // The AIPG worker host presents a Cloudflare Origin certificate: trust that CA for this socket only.
    const ca = extraCa ? [...rootCertificates, extraCa] : undefined
    const ws = new WebSocket(url, { ca, handshakeTimeout: READY_TIMEOUT_MS, maxPayload: 16 * 1024 * 1024 })
    const lastError = { text: null as string | null }
    const closed = new Promise<CloseInfo>((resolve) => {
      ws.on('close', (code, reason) => resolve(classifyClose(code, reason.toString(), lastError.text)))
    })
    return new Promise((resolve, reject) => {
      let settled = false
      const settle = () => {
        settled = true
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
      }
      // Only a connection still registering is torn down here; once ready, its owner closes it.
      const fail = (error: GridError) => {
        if (settled) return
        settle()
        ws.terminate()
        reject(error)
      }
      const onAbort = () => fail(registrationStopped())
      const timer = setTimeout(() => fail(registrationTimeout()), READY_TIMEOUT_MS)
      signal?.addEventListener('abort', onAbort, { once: true })
      ws.once('unexpected-response', (_request, response) => {
        fail(upgradeRefused(response.statusCode ?? 0))
      })
      ws.on('error', (error) => fail(unreachableError(error, url)))
      ws.once('open', () => ws.send(JSON.stringify(registration)))
      const onMessage = (data: WebSocket.RawData) => {
        const frame = parseFrame(data)
        if (frame?.type === 'error') lastError.text = frame.message ?? null
        if (frame?.type !== 'ready' || settled) return
        settle()
        ws.off('message', onMessage)
        resolve(new AipgConnection(ws, frame.worker_id ?? '', closed, lastError))
      }
      ws.on('message', onMessage)
      void closed.then((info) => fail(closeError(info)))
    })
  }

  onJob(listener: (job: AipgJob) => void): void {
    this.jobListener = listener
    for (const job of this.earlyJobs.splice(0)) listener(job)
  }

  onCancel(listener: (id: string) => void): void {
    this.cancelListener = listener
  }

  /** Sends one worker frame (built in aipgFrames.ts); nothing once the socket is closed. */
  sendFrame(frame: Record<string, unknown>): void {
    this.send(frame)
  }

  /** Resolves with the reward (`den`) for a job whenever it comes, or null once the socket closes. */
  waitForAck(id: string): Promise<number | null> {
    return new Promise((resolve) => {
      this.acks.set(id, (den) => {
        this.acks.delete(id)
        resolve(den)
      })
    })
  }

  /** Aborts when the connection closes: a job's generation stops for nobody. One per connection. */
  get gone(): AbortSignal {
    this.goneController ??= (() => {
      const controller = new AbortController()
      void this.closed.then(() => controller.abort())
      return controller
    })()
    return this.goneController.signal
  }

  private goneController: AbortController | null = null

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN
  }

  close(code = 1000, reason = 'worker stopping'): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason)
  }

  private send(frame: Record<string, unknown>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame))
  }

  private onFrame(data: WebSocket.RawData): void {
    const frame = parseFrame(data)
    if (!frame) return
    switch (frame.type) {
      case 'ping':
        this.send({ type: 'pong' })
        return
      case 'job': {
        const job = { id: frame.id, model: frame.model, request: frame.payload.request, fallbackMaxLength: frame.payload.max_length }
        if (this.jobListener) this.jobListener(job)
        else this.earlyJobs.push(job)
        return
      }
      case 'cancel':
        this.cancelListener(frame.id)
        return
      case 'ack':
        this.acks.get(frame.id)?.(frame.den ?? 0)
        return
      case 'error':
        // Kept for the close that usually follows (eviction, cooldown): it says why.
        this.lastError.text = frame.message ?? null
        return
      case 'ready':
        return
    }
  }
}

function parseFrame(data: WebSocket.RawData) {
  try {
    const parsed = serverFrameSchema.safeParse(JSON.parse(data.toString()))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
