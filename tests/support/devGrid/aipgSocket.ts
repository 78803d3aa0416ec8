import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { z } from 'zod'
import { IdentityError } from '../../../src/grid/identity/identityError.js'
import { MemoryNonceRegistry, verifyRegistration, type VerifiedWorkerIdentity } from '../../../src/grid/identity/registrationVerifier.js'
import { resultHash, verifyJobSignature } from '../../../src/grid/identity/resultSignature.js'
import { isRecord } from './http.js'
import type { AipgJob, AipgQueue } from './jobQueue.js'
import { approximateTokens } from './reward.js'
import type { GridState } from './state.js'
import type { AipgResult } from './types.js'

/** §13.2 registration frame; unknown fields (signer_address, worker_identity, ...) are kept. */
const registrationSchema = z.looseObject({
  apikey: z.string().optional(),
  name: z.string().optional(),
  models: z.array(z.string()).default([]),
  max_length: z.int().positive().default(512),
  max_context_length: z.int().positive().default(2048),
  job_types: z.array(z.string()).optional(),
  worker_type: z.string().optional(),
  api_formats: z.array(z.string()).optional(),
  modalities: z.array(z.string()).optional(),
  bridge_agent: z.string().default('grid-ws'),
})

const JOB_TYPES = ['text', 'image', 'video', 'audio', '3d']
const API_FORMATS = ['openai-chat', 'openai-responses', 'anthropic']
const RETIRED_MODEL_PREFIXES = ['flux.1-krea-dev', 'flux1-krea-dev']
const STRIKE_DECAY_MS = 300_000
const EVICTION_LADDER_S = [30, 120, 600, 3600]
const EVICTION_DECAY_MS = 3_600_000
/** A generation that failed before streaming anything is retried at most this often. */
const MAX_GENERATION_REQUEUES = 2
const DEFAULT_MAX_LENGTH = 512

interface Registration {
  id: string
  name: string
  user: string
  models: string[]
  max_length: number
  max_context_length: number
  job_types: string[]
  api_formats: string[]
  bridge_agent: string
  /** The account's payout wallet at registration, lower case ('' when none). */
  wallet: string
  /** The verified identity, when the registration carried one. */
  identity: VerifiedWorkerIdentity | null
}

interface RunningJob {
  job: AipgJob
  model: string
  result: AipgResult
  tokenFrames: number
  text: string
  reasoning: string
  toolCalls: boolean
  cancelSent: boolean
  startedAt: number
  firstTokenAt: number | null
}

interface Connection {
  num: number
  ws: WebSocket
  worker?: Registration
  running?: RunningJob
  idleSince: number
  registrationTimer?: NodeJS.Timeout
  pingTimer?: NodeJS.Timeout
  frameTimer?: NodeJS.Timeout
}

/** Per worker name, across reconnects: what /v1/account/workers reports. */
export interface AipgWorkerRecord {
  id: string
  name: string
  user: string
  models: string[]
  jobTypes: string[]
  maxContextLength: number
  firstSeen: number
  lastSeen: number
  jobsCompleted: number
  denEarned: number
  tokensPerSecond: number[]
  strikes: number
  lastStrikeAt: number
  evictions: number
  lastEvictionAt: number
  cooldownUntil: number
  connection?: Connection
}

/** The AIPG worker WebSocket: registration, job push, token streams, acks and health strikes. */
export class AipgHub {
  readonly workers = new Map<string, AipgWorkerRecord>()
  private readonly connections = new Set<Connection>()
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 })
  /** Core keeps registration nonces in Redis (SET NX EX); one grid's memory is the same thing here. */
  private readonly nonces = new MemoryNonceRegistry()
  private nextConnection = 1

  constructor(
    private readonly state: GridState,
    private readonly queue: AipgQueue,
  ) {}

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws))
  }

  enqueue(job: AipgJob): void {
    this.queue.add(job)
    this.dispatch()
  }

  /** Withdraws a queued job, or asks its worker to stop (it still answers with `done`). */
  cancel(jobId: string): void {
    if (this.queue.remove(jobId)) return
    for (const conn of this.connections) {
      const run = conn.running
      if (run?.job.id === jobId && !run.cancelSent) {
        run.cancelSent = true
        send(conn, { type: 'cancel', id: jobId })
      }
    }
  }

  /** Registered, open connections. */
  online(): Registration[] {
    return [...this.connections].flatMap((conn) => (conn.worker && conn.ws.readyState === conn.ws.OPEN ? [conn.worker] : []))
  }

  /** Whether some connected worker could take a job for `model` (undefined: any model). */
  canServe(model: string | undefined): boolean {
    return this.online().some((worker) => selectModel(worker, model) !== undefined)
  }

  dropAll(): void {
    for (const conn of this.connections) conn.ws.terminate()
  }

  async close(): Promise<void> {
    for (const conn of this.connections) {
      clearTimers(conn)
      conn.ws.terminate()
    }
    this.connections.clear()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }

  private accept(ws: WebSocket): void {
    const conn: Connection = { num: this.nextConnection++, ws, idleSince: Date.now() }
    this.connections.add(conn)
    conn.registrationTimer = setTimeout(() => {
      // The real handler just returns on a handshake timeout, which closes the socket normally.
      if (!conn.worker) ws.close(1000, 'registration timeout')
    }, this.state.options.aipgRegistrationTimeoutMs)
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(conn, data, isBinary))
    ws.on('close', () => this.onClose(conn))
    ws.on('error', () => ws.terminate())
  }

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    const text = isBinary ? '' : rawText(data)
    let frame: unknown
    try {
      frame = JSON.parse(text)
    } catch {
      frame = undefined
    }
    if (!conn.worker) {
      this.register(conn, frame)
      return
    }
    if (!isRecord(frame)) {
      this.state.aipg.frames.push({ connection: conn.num, frame: { malformed: text } })
      return
    }
    this.state.aipg.frames.push({ connection: conn.num, frame })
    if (conn.running) this.armFrameTimer(conn)
    switch (frame.type) {
      case 'pong':
        this.state.aipg.pongs += 1
        break
      case 'token':
        this.onToken(conn, frame)
        break
      case 'done':
        this.onDone(conn, frame)
        break
      case 'error':
        this.onWorkerError(conn, frame)
        break
      default:
        break
    }
  }

  private register(conn: Connection, frame: unknown): void {
    clearTimeout(conn.registrationTimer)
    const refuse = (code: number, message: string) => {
      send(conn, { type: 'error', message })
      conn.ws.close(code)
    }
    if (!isRecord(frame)) return refuse(1008, 'Invalid registration frame: expected a JSON object')
    this.state.aipg.registrations.push(frame)
    const parsed = registrationSchema.safeParse(frame)
    if (!parsed.success) {
      return refuse(1008, `Invalid registration frame: ${z.prettifyError(parsed.error)}`)
    }
    const reg = parsed.data
    const retired = reg.models.filter((model) =>
      RETIRED_MODEL_PREFIXES.some((prefix) => model.toLowerCase().replace(/[_ ]/g, '-').replace(/-+/g, '-').startsWith(prefix)),
    )
    if (retired.length) return refuse(4003, `Retired model identity: ${retired.join(', ')}`)
    if (!reg.apikey || !reg.name) return refuse(4001, 'Missing apikey or name')
    const account = this.state.account(reg.apikey)
    if (!account) return refuse(4001, 'Invalid API key')
    if (!account.scopes.some((scope) => scope === 'worker.connect' || scope === 'inference.submit')) {
      return refuse(4003, 'API key lacks worker.connect scope')
    }
    const now = Date.now()
    const record = this.workers.get(reg.name)
    if (record && record.cooldownUntil > now) {
      return refuse(4003, 'Worker recently evicted for failed generations; retry shortly.')
    }
    const jobTypes = (reg.job_types ?? [reg.worker_type ?? 'text']).filter((type) => JOB_TYPES.includes(type))
    // As core: the payout wallet is the account's, never the worker's; the identity is checked before the name.
    const wallet = account.payoutWallet.toLowerCase()
    let identity: VerifiedWorkerIdentity | null
    try {
      identity = verifyRegistration({
        proof: frame.worker_identity,
        payoutWallet: account.payoutWallet,
        workerName: reg.name,
        models: reg.models,
        jobTypes: jobTypes.length ? jobTypes : ['text'],
        bridgeAgent: reg.bridge_agent,
        required: this.state.options.requireWorkerIdentity,
        now: Math.floor(now / 1000),
        nonces: this.nonces,
      })
    } catch (error) {
      if (error instanceof IdentityError) return refuse(4003, error.message)
      throw error
    }
    const id = this.state.claimName(reg.name, account.user)
    if (id === undefined) return refuse(4003, 'worker name already registered to another account')

    const apiFormats = (reg.api_formats ?? []).filter((format) => API_FORMATS.includes(format))
    conn.worker = {
      id,
      name: reg.name,
      user: account.user,
      models: reg.models,
      max_length: reg.max_length,
      max_context_length: reg.max_context_length,
      job_types: jobTypes.length ? jobTypes : ['text'],
      api_formats: apiFormats.length ? apiFormats : ['openai-chat'],
      bridge_agent: reg.bridge_agent,
      wallet,
      identity,
    }
    const worker: AipgWorkerRecord = record ?? {
      id,
      name: reg.name,
      user: account.user,
      models: [],
      jobTypes: [],
      maxContextLength: 0,
      firstSeen: now,
      lastSeen: now,
      jobsCompleted: 0,
      denEarned: 0,
      tokensPerSecond: [],
      strikes: 0,
      lastStrikeAt: 0,
      evictions: 0,
      lastEvictionAt: 0,
      cooldownUntil: 0,
    }
    Object.assign(worker, {
      models: reg.models,
      jobTypes: conn.worker.job_types,
      maxContextLength: reg.max_context_length,
      lastSeen: now,
    })
    const previous = worker.connection
    worker.connection = conn
    this.workers.set(reg.name, worker)
    // One live connection per worker: the newer one wins, the older is told it was replaced.
    if (previous && previous !== conn) previous.ws.close(1012)
    send(conn, { type: 'ready', worker_id: id })
    this.state.emit({
      type: 'worker',
      network: 'aipg',
      name: reg.name,
      change: previous ? 'replaced' : 'joined',
      models: reg.models,
    })
    conn.idleSince = now
    conn.pingTimer = setInterval(() => {
      if (!conn.running) send(conn, { type: 'ping' })
    }, this.state.options.pingIntervalMs)
    conn.pingTimer.unref()
    this.dispatch()
  }

  /** Hands queued jobs to idle connections, longest-idle first. */
  private dispatch(): void {
    const idle = [...this.connections]
      .filter((conn) => conn.worker && !conn.running && conn.ws.readyState === conn.ws.OPEN)
      .sort((a, b) => a.idleSince - b.idleSince)
    for (const conn of idle) {
      const worker = conn.worker
      if (!worker) continue
      const job = this.queue.take((candidate) => selectModel(worker, candidate.model) !== undefined)
      if (job) this.start(conn, worker, job)
    }
  }

  private start(conn: Connection, worker: Registration, job: AipgJob): void {
    const model = selectModel(worker, job.model) ?? ''
    const previous = this.state.aipg.results.get(job.id)
    const result: AipgResult = {
      tokens: [],
      text: '',
      reasoning: '',
      toolCalls: [],
      problems: [],
      attempts: (previous?.attempts ?? 0) + 1,
      connection: conn.num,
      model,
    }
    this.state.aipg.results.set(job.id, result)
    conn.running = {
      job,
      model,
      result,
      tokenFrames: 0,
      text: '',
      reasoning: '',
      toolCalls: false,
      cancelSent: false,
      startedAt: Date.now(),
      firstTokenAt: null,
    }
    send(conn, { type: 'job', id: job.id, model, payload: jobPayload(job) })
    this.armFrameTimer(conn)
  }

  private onToken(conn: Connection, frame: Record<string, unknown>): void {
    const run = conn.running
    if (!run || !isFor(frame, run)) return
    run.result.tokens.push(frame)
    run.tokenFrames += 1
    run.firstTokenAt ??= Date.now()
    const delta = frame.delta
    if (isRecord(delta)) {
      if (typeof delta.content === 'string') run.text += delta.content
      if (typeof delta.reasoning_content === 'string') run.reasoning += delta.reasoning_content
      if (Array.isArray(delta.tool_calls) && delta.tool_calls.length) {
        run.toolCalls = true
        mergeToolCalls(run.result, delta.tool_calls)
      }
    } else if (typeof frame.text === 'string') {
      if (frame.reasoning === true) run.reasoning += frame.text
      else run.text += frame.text
    }
    run.result.text = run.text
    run.result.reasoning = run.reasoning
    if (typeof frame.finish_reason === 'string') run.result.finishReason = frame.finish_reason
    run.job.listener?.onToken(frame)
    const faults = this.state.faults
    if (faults.dropAfterTokens !== null && run.tokenFrames >= faults.dropAfterTokens) {
      faults.dropAfterTokens = null
      conn.ws.terminate()
      return
    }
    if (faults.cancelAfterTokens !== null && run.tokenFrames >= faults.cancelAfterTokens) {
      faults.cancelAfterTokens = null
      if (!run.cancelSent) {
        run.cancelSent = true
        send(conn, { type: 'cancel', id: run.job.id })
      }
    }
  }

  private onDone(conn: Connection, frame: Record<string, unknown>): void {
    const run = conn.running
    if (!run || !isFor(frame, run)) {
      // A second `done` for a settled job is a duplicate: acknowledged, never paid.
      const settled = typeof frame.id === 'string' ? this.state.aipg.results.get(frame.id) : undefined
      if (settled?.acked !== undefined) send(conn, { type: 'ack', id: frame.id, den: 0 })
      return
    }
    run.result.done = frame
    run.result.finishReason =
      typeof frame.finish_reason === 'string'
        ? frame.finish_reason
        : (run.result.finishReason ?? (run.result.toolCalls.length ? 'tool_calls' : 'stop'))
    for (const call of run.result.toolCalls) {
      if (!call.id) run.result.problems.push(`tool call ${call.index} has no id`)
    }
    const text = stringOr(frame.full_text, run.text)
    const reasoning = stringOr(frame.full_reasoning, run.reasoning)
    const cancelled = frame.cancelled === true
    const produced = text.trim() !== '' || reasoning.trim() !== '' || run.toolCalls || run.tokenFrames > 0
    if (!produced && !cancelled) {
      this.fail(conn, run, 'Worker returned an empty completion', false, 'empty')
      return
    }
    const worker = conn.worker
    const usage = isRecord(frame.usage) ? frame.usage : undefined
    const reported = typeof usage?.completion_tokens === 'number' ? usage.completion_tokens : run.tokenFrames
    const serverCount = approximateTokens(text + reasoning)
    const requestedMax = jobMaxLength(run.job)
    const tokens = Math.min(serverCount, reported || serverCount, requestedMax)
    const promptWords = flattenPrompt(run.job.request).split(/\s+/).filter(Boolean).length
    const den = this.state.reward({
      tokens,
      promptTokens: Math.min(promptWords, worker?.max_context_length ?? 2048),
      network: 'aipg',
      model: run.model,
      id: run.job.id,
    })
    this.finish(conn)
    const hash = resultHash(text)
    // core's _receipt_signers: a delegated signer supersedes the payout wallet; a bad signature is stored unsigned.
    const signers = worker?.identity ? [worker.identity.signerAddress] : [worker?.wallet ?? '']
    const signed = verifyJobSignature(run.job.id, text, frame.worker_sig, signers)
    run.result.resultHash = hash
    run.result.signed = signed
    const settledAt = Date.now()
    this.state.aipg.ledger.push({
      jobId: run.job.id,
      worker: worker?.name ?? '',
      wallet: worker?.wallet ?? '',
      model: run.model,
      den,
      outputUnits: tokens,
      durationS: (settledAt - run.startedAt) / 1000,
      ttftS: run.firstTokenAt === null ? null : (run.firstTokenAt - run.startedAt) / 1000,
      resultHash: hash,
      signed,
      created: new Date(settledAt).toISOString(),
    })
    run.result.acked = den
    send(conn, { type: 'ack', id: run.job.id, den })
    const record = worker && this.workers.get(worker.name)
    if (record && worker) {
      record.jobsCompleted += 1
      record.denEarned += den
      record.strikes = 0
      this.state.aipg.strikes.delete(worker.name)
      const seconds = (Date.now() - run.startedAt) / 1000
      if (seconds > 0 && tokens > 0) {
        record.tokensPerSecond = [...record.tokensPerSecond, tokens / seconds].slice(-20)
      }
      this.state.credit(worker.user, den)
    }
    this.state.emit({
      type: 'settled',
      network: 'aipg',
      id: run.job.id,
      worker: worker?.name ?? '',
      model: run.model,
      state: cancelled ? 'cancelled' : 'ok',
      tokens,
      reward: den,
    })
    run.job.listener?.onDone({ ...frame, full_text: text, full_reasoning: reasoning })
    this.dispatch()
  }

  private onWorkerError(conn: Connection, frame: Record<string, unknown>): void {
    const run = conn.running
    if (!run || !isFor(frame, run)) return
    run.result.error = frame
    const message = typeof frame.message === 'string' ? frame.message : 'Worker error'
    this.fail(conn, run, message, frame.client_error === true, 'error')
  }

  /**
   * A failed generation: den 0, a strike unless the request itself was bad, and a silent requeue
   * when nothing was streamed yet (at most twice).
   */
  private fail(conn: Connection, run: RunningJob, message: string, clientError: boolean, state: 'error' | 'empty'): void {
    this.finish(conn)
    run.result.acked = 0
    send(conn, { type: 'ack', id: run.job.id, den: 0 })
    const worker = conn.worker
    let evict = false
    if (clientError) {
      run.job.listener?.onError(message, true)
    } else {
      if (worker) evict = this.strike(worker.name, run.job)
      if (run.tokenFrames === 0 && run.job.generationRequeues < MAX_GENERATION_REQUEUES) {
        run.job.generationRequeues += 1
        this.queue.requeue(run.job)
        this.state.emit({ type: 'requeued', network: 'aipg', id: run.job.id, reason: state })
      } else {
        run.job.listener?.onError(
          run.tokenFrames === 0 ? 'No worker could complete this job; giving up.' : 'Worker failed mid-generation; please retry.',
          false,
        )
      }
    }
    this.state.emit({
      type: 'settled',
      network: 'aipg',
      id: run.job.id,
      worker: worker?.name ?? '',
      model: run.model,
      state,
      tokens: 0,
      reward: 0,
    })
    if (evict && worker) this.evict(conn, worker.name)
    this.dispatch()
  }

  /** One strike per worker and job; returns whether the worker is now due for eviction. */
  private strike(name: string, job: AipgJob): boolean {
    const record = this.workers.get(name)
    if (!record || job.struck.has(name)) return false
    job.struck.add(name)
    const now = Date.now()
    if (now - record.lastStrikeAt > STRIKE_DECAY_MS) record.strikes = 0
    record.strikes += 1
    record.lastStrikeAt = now
    this.state.aipg.strikes.set(name, record.strikes)
    return record.strikes >= this.state.options.aipgStrikeLimit
  }

  private evict(conn: Connection, name: string): void {
    const record = this.workers.get(name)
    if (!record) return
    const now = Date.now()
    if (now - record.lastEvictionAt > EVICTION_DECAY_MS) record.evictions = 0
    record.evictions += 1
    record.lastEvictionAt = now
    const cooldown = EVICTION_LADDER_S[Math.min(record.evictions, EVICTION_LADDER_S.length) - 1] ?? 30
    record.cooldownUntil = now + cooldown * 1000
    record.strikes = 0
    this.state.aipg.strikes.delete(name)
    this.state.emit({
      type: 'worker',
      network: 'aipg',
      name,
      change: 'evicted',
      models: record.models,
    })
    // The real handler breaks out of its loop, which closes the socket normally.
    conn.ws.close(1000)
  }

  private finish(conn: Connection): void {
    conn.running = undefined
    clearTimeout(conn.frameTimer)
    conn.idleSince = Date.now()
  }

  private armFrameTimer(conn: Connection): void {
    clearTimeout(conn.frameTimer)
    conn.frameTimer = setTimeout(() => conn.ws.terminate(), this.state.options.aipgFrameTimeoutMs)
    conn.frameTimer.unref()
  }

  private onClose(conn: Connection): void {
    clearTimers(conn)
    this.connections.delete(conn)
    const run = conn.running
    conn.running = undefined
    if (run) {
      this.queue.requeue(run.job)
      this.state.emit({ type: 'requeued', network: 'aipg', id: run.job.id, reason: 'disconnected' })
    }
    const worker = conn.worker
    const record = worker && this.workers.get(worker.name)
    if (worker && record?.connection === conn) {
      record.connection = undefined
      record.lastSeen = Date.now()
      this.state.emit({
        type: 'worker',
        network: 'aipg',
        name: worker.name,
        change: 'left',
        models: worker.models,
      })
    }
    this.dispatch()
  }
}

/** The model a worker would run a job under: the asked one if served, else its first. */
function selectModel(worker: Registration, model: string | undefined): string | undefined {
  if (!worker.job_types.includes('text') || !worker.api_formats.includes('openai-chat')) {
    return undefined
  }
  if (model === undefined || model === 'auto') return worker.models[0]
  return worker.models.includes(model) ? model : undefined
}

/** §13.2 text payload: the chat request plus the legacy flattened fields. */
function jobPayload(job: AipgJob): Record<string, unknown> {
  const request = job.request
  return {
    request: { ...request, seed: job.seed },
    api_format: 'openai-chat',
    prompt: flattenPrompt(request),
    max_length: jobMaxLength(job),
    temperature: typeof request.temperature === 'number' ? request.temperature : 1,
    top_p: typeof request.top_p === 'number' ? request.top_p : 1,
  }
}

function jobMaxLength(job: AipgJob): number {
  const { max_tokens: maxTokens, max_completion_tokens: maxCompletion } = job.request
  if (typeof maxTokens === 'number') return maxTokens
  if (typeof maxCompletion === 'number') return maxCompletion
  return DEFAULT_MAX_LENGTH
}

/** "User: …\nAssistant: …\nAssistant:" from OpenAI chat messages. */
export function flattenPrompt(request: Record<string, unknown>): string {
  const messages = Array.isArray(request.messages) ? request.messages : []
  const lines = messages.filter(isRecord).map((message) => {
    const role = typeof message.role === 'string' ? message.role : 'user'
    return `${role.charAt(0).toUpperCase()}${role.slice(1)}: ${contentText(message.content)}`
  })
  return [...lines, 'Assistant:'].join('\n')
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .filter(isRecord)
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .join('')
}

/** Core's merge of streamed tool calls: by index, id and name kept, arguments concatenated. */
function mergeToolCalls(result: AipgResult, pieces: unknown[]): void {
  for (const piece of pieces) {
    const fn = isRecord(piece) && isRecord(piece.function) ? piece.function : undefined
    if (!isRecord(piece) || typeof piece.index !== 'number') {
      result.problems.push('a tool_calls entry without an index')
      continue
    }
    let call = result.toolCalls.find((existing) => existing.index === piece.index)
    if (!call) {
      call = { index: piece.index, id: '', name: '', arguments: '' }
      result.toolCalls.push(call)
    }
    if (typeof piece.id === 'string' && piece.id) call.id = piece.id
    if (typeof fn?.name === 'string' && fn.name) call.name = fn.name
    if (typeof fn?.arguments === 'string') call.arguments += fn.arguments
  }
}

function isFor(frame: Record<string, unknown>, run: RunningJob): boolean {
  return frame.id === undefined || frame.id === run.job.id
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}

function send(conn: Connection, frame: Record<string, unknown>): void {
  if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(frame))
}

function clearTimers(conn: Connection): void {
  clearTimeout(conn.registrationTimer)
  clearInterval(conn.pingTimer)
  clearTimeout(conn.frameTimer)
}
