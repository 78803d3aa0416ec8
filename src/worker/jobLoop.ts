import type { GenerateRequest, GenerateResult } from '../shared/generation.js'
import { linkedAbort } from './abort.js'
import { createBackoff } from './backoff.js'
import { aipgRegistration } from '../grid/aipgRegistration.js'
import { asGridError } from '../grid/gridError.js'
import { aipgWorkerSocketUrl } from '../grid/gridUrls.js'
import { aipgJobToRequest, BadJobRequest, hordeJobToRequest, openAiRequestSchema, type WorkerLimits } from './params.js'
import { systemClock, type Clock, type GenerationEngine, type JobGate, type JobLedger, type JobRecord, type JobState, type Logger, type Network } from './ports.js'
import { ACK_TIMEOUT_MS, AipgConnection, type AipgJob } from './transports/aipgSocket.js'
import { createHordeClient, type HordeJob } from './transports/hordeRest.js'

/** Everything the worker needs to know. */
export interface WorkerConfig {
  network: Network
  gridUrl: string
  apiKey: string
  name: string
  /** Model names advertised to the grid. */
  models: string[]
  slots: number
  maxLength: number
  maxContextLength: number
  /** Stop after this many jobs (CLI `--max-jobs`). */
  maxJobs?: number | null
  /** `GridForge:<version>:<url>`: the pop's bridge_agent and the Client-Agent header. */
  agent: string
  nsfw?: boolean
  /** Extra CA (PEM) trusted for the AIPG worker socket only. */
  extraCa?: string
  /** How long a graceful stop waits for jobs in flight before cancelling them. */
  graceMs?: number
  /** How often an idle Horde slot asks for work. */
  idlePollMs?: number
}

/** What the worker is doing, for status lines and the Earn view. */
export type WorkerState = 'connecting' | 'waiting' | 'working' | 'paused' | 'backoff' | 'stopping' | 'stopped'

/** Everything the worker reports. Never contains job text. */
export type WorkerEvent =
  | { type: 'state'; state: WorkerState; detail: string | null }
  | { type: 'job-started'; slot: number; network: Network; jobId: string; model: string }
  | { type: 'job-progress'; jobId: string; tokens: number }
  | { type: 'job-finished'; record: JobRecord }
  | { type: 'job-rewarded'; record: JobRecord }

/** How a run of the worker ended. */
export interface WorkerExit {
  reason: 'stopped' | 'max-jobs' | 'fatal'
  /** For `fatal`: what went wrong and what to do, in one sentence. */
  message: string | null
}

/** The ports the worker runs on. */
export interface WorkerPorts {
  engine: GenerationEngine
  ledger: JobLedger
  clock?: Clock
  logger?: Logger
  fetch?: typeof fetch
  gate?: JobGate
}

const DEFAULT_GRACE_MS = 30_000
const DEFAULT_IDLE_POLL_MS = 2000

/**
 * The grid job loop: N slots, each taking one job at a time from its grid, running it on the engine
 * and answering it. Every job received is answered exactly once (done/error, or submit ok/faulted)
 * unless the connection to the grid is gone, and recorded in the ledger.
 */
export function createWorker(config: WorkerConfig, ports: WorkerPorts) {
  const clock = ports.clock ?? systemClock
  const logger = ports.logger ?? { info: () => undefined, warn: () => undefined }
  const limits: WorkerLimits = { maxLength: config.maxLength, maxContextLength: config.maxContextLength }
  const stopping = new AbortController()
  const force = new AbortController()
  const listeners = new Set<(event: WorkerEvent) => void>()
  let exit: WorkerExit | null = null
  let claimed = 0

  // A listener that throws (a destroyed tray redrawing on "stopping") must not keep stop() from
  // aborting, nor a job from being answered: it is logged and the others still hear the event.
  const emit = (event: WorkerEvent) => {
    for (const listener of listeners) {
      try {
        listener(event)
      } catch (error) {
        logger.warn(`a listener of the worker's ${event.type} event failed: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }
  let lastState = ''
  const setState = (state: WorkerState, detail: string | null = null) => {
    // Idle polls repeat "waiting" every few seconds; listeners hear only changes.
    const key = `${state}|${detail ?? ''}`
    if (key === lastState) return
    lastState = key
    emit({ type: 'state', state, detail })
  }

  /** Reserves one job of `--max-jobs`; false when stopping or the budget is spent. */
  const claim = (): boolean => {
    if (stopping.signal.aborted) return false
    if (config.maxJobs && claimed >= config.maxJobs) return false
    claimed++
    return true
  }
  const unclaim = () => claimed--
  const budgetSpent = () => !!config.maxJobs && claimed >= config.maxJobs
  const finishedOne = (() => {
    let finished = 0
    return () => {
      finished++
      if (config.maxJobs && finished >= config.maxJobs) stop('max-jobs')
    }
  })()

  function stop(reason: WorkerExit['reason'] = 'stopped', message: string | null = null): void {
    if (stopping.signal.aborted) {
      if (reason === 'stopped') force.abort()
      return
    }
    exit = { reason, message }
    setState('stopping', message)
    stopping.abort()
    clock.sleep(config.graceMs ?? DEFAULT_GRACE_MS, force.signal).then(() => force.abort())
  }

  const record = (job: JobRecord, type: 'job-finished' | 'job-rewarded' = 'job-finished') => {
    try {
      ports.ledger.record(job)
    } catch (error) {
      // A full disk must not take the worker down mid-job; the grid already has the answer.
      logger.warn(`could not record job ${job.jobId.slice(0, 8)}: ${(error as Error).message}`)
    }
    emit({ type, record: job })
  }

  /** Engine failures (no model, crashed) would fail every following job too: pause before the next. */
  const isEngineDown = (error: unknown) => {
    const code = (error as { code?: unknown }).code
    return code === 'NO_MODEL' || code === 'ENGINE_CRASHED'
  }
  const ENGINE_PAUSE_MS = 5000

  async function generate(request: GenerateRequest, jobId: string): Promise<GenerateResult> {
    const abort = linkedAbort(force.signal)
    try {
      return await ports.engine.generate(request, {
        signal: abort.signal,
        onText: (_text, tokens) => emit({ type: 'job-progress', jobId, tokens }),
      })
    } finally {
      abort.dispose()
    }
  }

  function jobRecord(network: Network, jobId: string, model: string, startedAt: number, result: GenerateResult | null, state: JobState, error: string | null, reward: number | null): JobRecord {
    const durationMs = result?.durationMs ?? clock.now() - startedAt
    const decodeMs = durationMs - (result?.firstTokenMs ?? 0)
    return {
      network,
      jobId,
      model,
      promptTokens: result?.promptTokens ?? 0,
      completionTokens: result?.completionTokens ?? 0,
      durationMs,
      tokensPerSecond: result && decodeMs > 0 ? (Math.max(0, result.completionTokens - 1) * 1000) / decodeMs : 0,
      reward,
      state,
      error,
      startedAt,
      finishedAt: clock.now(),
    }
  }

  // ---- AI Horde: N pop loops (§3, §12 threads) ----

  async function hordeSlot(slot: number): Promise<void> {
    const client = createHordeClient({ gridUrl: config.gridUrl, apiKey: config.apiKey, clientAgent: config.agent, fetch: ports.fetch })
    const capabilities = {
      name: config.name,
      models: config.models,
      maxLength: config.maxLength,
      maxContextLength: config.maxContextLength,
      threads: config.slots,
      nsfw: config.nsfw ?? false,
      bridgeAgent: config.agent,
    }
    const backoff = createBackoff()
    while (!stopping.signal.aborted) {
      await waitForGate()
      if (stopping.signal.aborted || !claim()) break
      let job: HordeJob | null
      try {
        // Not aborted by a graceful stop: a pop cut off in flight could leave a job hanging on the grid.
        job = (await client.pop(capabilities, force.signal)).job
        backoff.reset()
      } catch (error) {
        unclaim()
        if (stopping.signal.aborted) break
        if (!(await handleFailure(error, backoff))) break
        continue
      }
      if (!job) {
        unclaim()
        setState('waiting')
        await clock.sleep(config.idlePollMs ?? DEFAULT_IDLE_POLL_MS, stopping.signal)
        continue
      }
      const engineDown = await runHordeJob(slot, client, job)
      finishedOne()
      if (engineDown) {
        setState('backoff', 'The model is not available; waiting before taking more jobs.')
        await clock.sleep(ENGINE_PAUSE_MS, stopping.signal)
      }
    }
  }

  /** Runs every id of a popped job; true when the engine is down and the slot should pause. */
  async function runHordeJob(slot: number, client: ReturnType<typeof createHordeClient>, job: HordeJob): Promise<boolean> {
    const poppedAt = clock.now()
    const request = job.payload ? hordeJobToRequest(job.payload, limits) : null
    let engineDown = false
    for (const id of job.ids) {
      const startedAt = clock.now()
      setState('working')
      emit({ type: 'job-started', slot, network: 'horde', jobId: id, model: job.model })
      let result: GenerateResult | null = null
      let failure: string | null = null
      try {
        if (!request) throw new Error('the grid sent a payload this worker cannot read')
        if (engineDown) throw new Error('the engine is not available')
        result = await generate(request, id)
        if (force.signal.aborted) failure = 'The worker was stopped before the job finished.'
      } catch (error) {
        failure = `Generation failed: ${(error as Error).message}`
        engineDown ||= isEngineDown(error)
      }
      const state = failure ? 'faulted' : 'ok'
      const outcome = await submitWithRetry(client, id, failure ? 'faulted' : (result?.text ?? ''), state, poppedAt + job.ttlSeconds * 1000)
      record(jobRecord('horde', id, job.model, startedAt, result, outcome.state === 'ok' ? state : outcome.state, failure ?? outcome.error, outcome.reward))
    }
    return engineDown
  }

  /** Submits until it lands, the grid drops the job, or its TTL has passed (then the grid aborts it anyway). */
  async function submitWithRetry(client: ReturnType<typeof createHordeClient>, id: string, generation: string, state: 'ok' | 'faulted', deadline: number) {
    const backoff = createBackoff()
    for (;;) {
      try {
        return { state: 'ok' as const, reward: await client.submit(id, generation, state), error: null }
      } catch (error) {
        const gridError = asGridError(error)
        if (gridError.action === 'drop') return { state: 'dropped' as const, reward: null, error: gridError.message }
        if (gridError.action === 'stop') {
          stop('fatal', gridError.message)
          return { state: 'error' as const, reward: null, error: gridError.message }
        }
        const wait = gridError.details.retryAfterMs ?? backoff.next()
        if (clock.now() + wait > deadline || force.signal.aborted) {
          return { state: 'dropped' as const, reward: null, error: `Could not submit: ${gridError.message}` }
        }
        logger.warn(`submit of ${id.slice(0, 8)} failed (${gridError.message}); retrying in ${Math.round(wait / 1000)} s`)
        await clock.sleep(wait, force.signal)
      }
    }
  }

  // ---- AIPG: one WebSocket per slot (§13.2) ----

  async function aipgSlot(slot: number): Promise<void> {
    const url = aipgWorkerSocketUrl(config.gridUrl)
    // One connection serves one job at a time; parallel slots register distinct names, as the reference worker does.
    const name = config.slots > 1 ? `${config.name}-${slot + 1}` : config.name
    const registration = aipgRegistration({
      apiKey: config.apiKey,
      name,
      models: config.models,
      maxLength: config.maxLength,
      maxContextLength: config.maxContextLength,
      agent: config.agent,
    })
    const backoff = createBackoff()
    while (!stopping.signal.aborted) {
      // AIPG pushes jobs: while paused this slot holds no connection, so nothing waits on it.
      await waitForGate()
      if (stopping.signal.aborted) break
      setState('connecting')
      let connection: AipgConnection
      try {
        connection = await AipgConnection.open(url, registration, config.extraCa, stopping.signal)
        backoff.reset()
      } catch (error) {
        if (stopping.signal.aborted) break
        if (!(await handleFailure(error, backoff))) break
        continue
      }
      setState('waiting')
      let current: Promise<void> | null = null
      // Rewards still to come: the grid hands out the next job right after `done`, before its `ack`.
      const acks = new Set<Promise<void>>()
      let pauseForEngine = false
      const closeAfterAcks = () => {
        void Promise.race([Promise.all(acks), clock.sleep(ACK_TIMEOUT_MS)]).then(() => connection.close())
      }
      connection.onJob((job) => {
        // The grid sends one job at a time; a second one is answered, never left hanging.
        if (current) return connection.sendError(job.id, 'This worker is busy with another job.', false)
        // Never hold a job we will not start now: closing hands it back to the grid at once.
        if (!claim()) return closeAfterAcks()
        current = runAipgJob(slot, connection, job)
          .then((outcome) => {
            if (outcome.engineDown) pauseForEngine = true
            if (!outcome.ack) return
            const ack = outcome.ack
            acks.add(ack)
            void ack.finally(() => acks.delete(ack))
          })
          .catch((error: unknown) => logger.warn(`job ${job.id.slice(0, 8)} failed: ${(error as Error).message}`))
          .finally(() => {
            current = null
            finishedOne()
            if (stopping.signal.aborted || pauseForEngine || budgetSpent() || (ports.gate && !ports.gate.isOpen())) closeAfterAcks()
            else setState('waiting')
          })
      })
      const closeWhenIdle = () => {
        if (!current) closeAfterAcks()
      }
      stopping.signal.addEventListener('abort', closeWhenIdle)
      const unsubscribeGate = ports.gate?.onClose(closeWhenIdle)
      const closed = await connection.closed
      stopping.signal.removeEventListener('abort', closeWhenIdle)
      unsubscribeGate?.()
      if (current) await current
      if (closed.action === 'stop') {
        stop('fatal', closed.message)
        break
      }
      if (budgetSpent()) break
      if (ports.gate && !ports.gate.isOpen()) continue
      if (pauseForEngine && !stopping.signal.aborted) {
        setState('backoff', 'The model is not available; waiting before taking more jobs.')
        await clock.sleep(ENGINE_PAUSE_MS, stopping.signal)
        continue
      }
      if (!stopping.signal.aborted) {
        const wait = backoff.next()
        setState('backoff', `${closed.message} Reconnecting in ${Math.round(wait / 1000)} s.`)
        await clock.sleep(wait, stopping.signal)
      }
    }
  }

  /**
   * Runs one job up to its `done`; resolves with the wait for its reward, if one is coming (wrapped:
   * an async function returning a bare promise would wait for it).
   */
  async function runAipgJob(slot: number, connection: AipgConnection, job: AipgJob): Promise<{ ack?: Promise<void>; engineDown?: boolean }> {
    const cancel = linkedAbort(force.signal, connection.gone)
    try {
      return await runAipgJobWith(slot, connection, job, cancel)
    } finally {
      cancel.dispose()
    }
  }

  async function runAipgJobWith(
    slot: number,
    connection: AipgConnection,
    job: AipgJob,
    cancel: ReturnType<typeof linkedAbort>,
  ): Promise<{ ack?: Promise<void>; engineDown?: boolean }> {
    const startedAt = clock.now()
    let cancelled = false
    connection.onCancel((id) => {
      if (id !== job.id) return
      cancelled = true
      cancel.abort()
    })
    setState('working')
    emit({ type: 'job-started', slot, network: 'aipg', jobId: job.id, model: job.model })

    let request: GenerateRequest
    try {
      const parsed = openAiRequestSchema.safeParse(job.request)
      if (!parsed.success) throw new BadJobRequest('The request is not an OpenAI chat-completions body.')
      request = aipgJobToRequest(parsed.data, job.fallbackMaxLength, limits)
    } catch (error) {
      const message = error instanceof BadJobRequest ? error.message : 'The request could not be read.'
      connection.sendError(job.id, message, true)
      record(jobRecord('aipg', job.id, job.model, startedAt, null, 'error', message, 0))
      return {}
    }

    let result: GenerateResult
    try {
      result = await ports.engine.generate(request, {
        signal: cancel.signal,
        onText: (text, tokens) => {
          connection.sendToken(job.id, text)
          emit({ type: 'job-progress', jobId: job.id, tokens })
        },
      })
    } catch (error) {
      const message = `Generation failed: ${(error as Error).message}`
      connection.sendError(job.id, message, false)
      record(jobRecord('aipg', job.id, job.model, startedAt, null, 'error', message, 0))
      return { engineDown: isEngineDown(error) }
    }
    if (!connection.isOpen) {
      record(jobRecord('aipg', job.id, job.model, startedAt, result, 'dropped', 'The connection to the grid was lost during the job.', null))
      return {}
    }
    if (force.signal.aborted && !cancelled) {
      connection.sendError(job.id, 'The worker was stopped before the job finished.', false)
      record(jobRecord('aipg', job.id, job.model, startedAt, result, 'faulted', 'The worker was stopped before the job finished.', 0))
      return {}
    }
    connection.sendDone(job.id, {
      text: result.text,
      finishReason: cancelled ? 'stop' : result.finishReason === 'length' ? 'length' : 'stop',
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
      cancelled,
    })
    const state: JobState = cancelled ? 'cancelled' : 'ok'
    // Recorded before the ack, so a crash while waiting cannot lose the job; the reward is added when it comes.
    const done = jobRecord('aipg', job.id, job.model, startedAt, result, state, null, null)
    record(done)
    const ack = connection.waitForAck(job.id).then((den) => {
      if (den !== null) record({ ...done, reward: den }, 'job-rewarded')
    })
    return { ack }
  }

  async function waitForGate(): Promise<void> {
    if (!ports.gate || ports.gate.isOpen()) return
    setState('paused')
    await ports.gate.whenOpen(stopping.signal)
  }

  /** Waits out a failure; false when the worker must stop (configuration errors). */
  async function handleFailure(error: unknown, backoff: ReturnType<typeof createBackoff>): Promise<boolean> {
    const gridError = asGridError(error)
    if (gridError.action === 'stop') {
      stop('fatal', gridError.message)
      return false
    }
    const wait = gridError.details.retryAfterMs ?? backoff.next()
    setState('backoff', `${gridError.message} Retrying in ${Math.max(1, Math.round(wait / 1000))} s.`)
    logger.warn(`${gridError.message}; retrying in ${Math.round(wait / 1000)} s`)
    await clock.sleep(wait, stopping.signal)
    return true
  }

  return {
    /** Runs until stopped, `--max-jobs` is reached, or a configuration error; never throws. */
    async run(): Promise<WorkerExit> {
      setState('connecting')
      const slot = config.network === 'aipg' ? aipgSlot : hordeSlot
      await Promise.all(Array.from({ length: Math.max(1, config.slots) }, (_, i) => slot(i)))
      force.abort()
      const result = exit ?? { reason: 'stopped', message: null }
      setState('stopped', result.message)
      return result
    },
    /** First call: finish jobs in flight (within the grace period), take no new ones. Second call: cancel them. */
    stop: () => stop('stopped'),
    subscribe(listener: (event: WorkerEvent) => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

/** A worker instance. */
export type Worker = ReturnType<typeof createWorker>
