import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { EngineSnapshot, LoadedModel, SlotChoice } from '../../shared/domain.js'
import type { GenerateRequest, GenerateResult, ToolCallDelta } from '../../shared/generation.js'
import type { HardwareInfo, ModelFit } from '../../shared/models.js'
import { AppError } from '../../shared/result.js'
import { checkGgufHeader } from '../lib/ggufHeader.js'
import type { Engine, GenerateHandlers, ModelInspector } from './engine.js'
import type { EngineLauncher, EngineProcess, EngineReply, EngineRequest } from './protocol.js'
import { CHAT_CONTEXT } from './contextSizing.js'
import { calibratedSlots, calibrationKey, SlotCalibrationCache, slotCandidates, type SlotMeasurement } from './slotCalibration.js'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** More crashes than this within `CRASH_WINDOW_MS` and the supervisor stops restarting. */
const MAX_CRASHES = 3
const CRASH_WINDOW_MS = 60_000
const READY_TIMEOUT_MS = 60_000
/** Exits that came from outside the engine (a user, a service manager, the OOM killer), not from the model. */
const KILLED_FROM_OUTSIDE = /^signal SIG(KILL|TERM|INT)$/
/** A model in use at this many engine deaths is not loaded again by itself, whatever the cause. */
const RELOADS_PER_MODEL = 1

interface Pending {
  kind: 'load' | 'unload' | 'generate' | 'inspect'
  resolve(value: unknown): void
  reject(error: AppError): void
  onText?: (text: string, tokens: number) => void
  onReasoning?: (text: string, tokens: number) => void
  onToolCall?: (delta: ToolCallDelta, tokens: number) => void
  onProgress?: (progress: number) => void
}

/** Options of the supervisor. */
export interface SupervisorOptions {
  launch: EngineLauncher
  /** A fixed thread count; `null` lets the engine choose per model. */
  threads?: number | null
  /** Parallel generations per loaded model (chat + grid slots + API); default 2. */
  sequences?: number
  /** Tokens each sequence must hold (a worker's advertised context); default `CHAT_CONTEXT`, capped by the model. */
  contextSize?: number | null
  /** Where slot calibrations are kept (`<data>/engine/slot-calibration.json`); absent: nothing is calibrated. */
  slotCalibrationFile?: string
  log?: (line: string) => void
  /** The draft model for a target model's path (a smaller one of its family, present and allowed), or null. */
  draftFor?: (path: string) => Promise<string | null>
}

/**
 * The host's `Engine`: runs llama.cpp in a child process and restarts it when it dies. The model that was
 * in use is loaded again only when the engine was killed from outside, once: a model whose file or template
 * made the engine die itself would only do it again. Loads and unloads run one at a time, in the order they
 * were asked for, and one asked for after a crash wins over the reload.
 */
export class EngineSupervisor implements Engine, ModelInspector {
  private process: EngineProcess | null = null
  private ready: Promise<void> | null = null
  private pending = new Map<number, Pending>()
  private nextId = 1
  private closed = false
  private crashTimes: number[] = []
  /** Engine deaths while each model (by path) was loaded. */
  private deathsWith = new Map<string, number>()
  /** Bumped by every load or unload a caller asks for; a reload planned before a newer one is dropped. */
  private intent = 0
  private lifecycle: Promise<unknown> = Promise.resolve()
  /** The load the engine is working on, and in which process: a crash is only ever blamed on that file. */
  private loadInFlight: { path: string; process: EngineProcess } | null = null
  private listeners = new Set<(snapshot: EngineSnapshot) => void>()
  private state: EngineSnapshot = {
    state: 'starting',
    gpu: null,
    model: null,
    loading: null,
    notice: null,
    restarts: 0,
  }

  private readonly options: SupervisorOptions

  constructor(options: SupervisorOptions) {
    this.options = { ...options }
  }

  /** Starts the engine process; resolves when it has initialised llama.cpp. */
  start(): Promise<void> {
    this.ready ??= this.spawn()
    return this.ready
  }

  snapshot(): EngineSnapshot {
    return this.state
  }

  /** Parallel generations the next load gets (chat, grid slots, API). */
  get sequences(): number {
    return this.options.sequences ?? 2
  }

  /** Tokens each sequence of the next load is asked to hold (the model may hold fewer). */
  get contextSize(): number {
    return this.options.contextSize ?? CHAT_CONTEXT
  }

  /**
   * Makes sure the loaded model has at least `count` sequences of at least `contextSize` tokens,
   * reloading it if needed (the miner with N slots needs N besides chat, each holding a whole job).
   * The context only grows: chat keeps what it was loaded with.
   */
  async ensureSequences(count: number, contextSize = 0): Promise<void> {
    if (count <= this.sequences && contextSize <= this.contextSize) return
    this.options.sequences = Math.max(count, this.sequences)
    this.options.contextSize = Math.max(contextSize, this.contextSize)
    const model = this.state.model
    if (model) await this.load(model.path)
  }

  /**
   * The slot count (up to `maxSlots`, and what the free memory holds) that gives the loaded model the most
   * tokens/s on this PC: the cached calibration for this model file and machine, or else a measurement of
   * a few seconds, for which the model is reloaded with a sequence per measured slot. Null when it was
   * cancelled, by `signal` or by any generation, and then nothing is cached. `onMeasuring`: a measurement starts.
   */
  async calibrateSlots(
    maxSlots: number,
    signal?: AbortSignal,
    onMeasuring?: () => void,
  ): Promise<(Omit<SlotChoice, 'source'> & { cached: boolean }) | null> {
    const model = this.state.model
    const file = this.options.slotCalibrationFile
    if (!model || !file) return null
    const key = calibrationKey({
      modelPath: model.path,
      modelBytes: model.sizeBytes,
      modelModifiedMs: (await stat(model.path)).mtimeMs,
      threads: model.threads,
      gpu: this.state.gpu,
      // Short generations from an empty sequence: the context size does not change what they measure.
      contextSize: 0,
    })
    return calibratedSlots(new SlotCalibrationCache(file), key, async () => {
      onMeasuring?.()
      const room = (await this.request({ type: 'slotRoom', limit: maxSlots }, 'inspect')) as number
      const counts = slotCandidates(room)
      await this.ensureSequences(counts[counts.length - 1]! + 1)
      if (signal?.aborted) return null
      // The first count measured also warms the engine up (its first decodes are several times slower): measured twice, the first dropped.
      const measured = (await this.cancellable({ type: 'calibrateSlots', counts: [1, ...counts] }, signal)) as SlotMeasurement[] | null
      return measured?.slice(1) ?? null
    })
  }

  /** The engine process id, for resource measurements and crash tests. */
  processId(): number | undefined {
    return this.process?.pid
  }

  subscribe(listener: (snapshot: EngineSnapshot) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  load(path: string): Promise<LoadedModel> {
    this.intent++
    return this.serialise(() => this.loadNow(path))
  }

  /** `notice` stays up through the load (a reload after a crash keeps saying why). */
  private async loadNow(path: string, notice: string | null = null): Promise<LoadedModel> {
    // A crafted header is refused here, at once, before the engine would spend minutes and gigabytes on it.
    await checkGgufHeader(path)
    await this.start()
    this.update({ state: 'loading', loading: { path, progress: 0 }, notice })
    let lastProgress = 0
    this.loadInFlight = this.process && { path, process: this.process }
    try {
      const draft = (await this.options.draftFor?.(path)) ?? null
      const model = (await this.request(
        {
          type: 'load',
          path,
          threads: this.options.threads ?? null,
          sequences: this.options.sequences ?? 2,
          contextSize: this.options.contextSize ?? null,
          gpu: 'auto',
          draft,
        },
        'load',
        {
          onProgress: (progress) => {
            if (progress - lastProgress < 0.02 && progress < 1) return
            lastProgress = progress
            this.update({ loading: { path, progress } })
          },
        },
      )) as LoadedModel
      this.update({ state: 'ready', model, loading: null })
      return model
    } catch (error) {
      const appError = asAppError(error)
      // A crash during the load has already set the state (restarting, or given up); keep it.
      if (appError.code !== 'ENGINE_CRASHED') this.update({ state: 'idle', model: null, loading: null, notice: appError.message })
      throw appError
    } finally {
      this.loadInFlight = null
    }
  }

  unload(): Promise<void> {
    this.intent++
    return this.serialise(() => this.unloadNow())
  }

  private serialise<T>(step: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.then(step, step)
    this.lifecycle = next.catch(() => undefined)
    return next
  }

  private async unloadNow(): Promise<void> {
    await this.start()
    this.update({ state: 'unloading' })
    try {
      await this.request({ type: 'unload' }, 'unload')
      this.update({ state: 'idle', model: null })
    } catch (error) {
      if (asAppError(error).code !== 'ENGINE_CRASHED') this.update({ state: this.state.model ? 'ready' : 'idle' })
      throw error
    }
  }

  async generate(request: GenerateRequest, handlers: GenerateHandlers = {}): Promise<GenerateResult> {
    await this.start()
    if (!this.state.model) throw new AppError('NO_MODEL', 'No model is loaded; load one first.')
    const id = this.nextId
    const { signal } = handlers
    if (signal?.aborted) throw new AppError('BUSY', 'The generation was cancelled before it started.')
    const onAbort = () => this.process?.send({ type: 'abort', id })
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      return (await this.request({ type: 'generate', request }, 'generate', {
        onText: handlers.onText,
        onReasoning: handlers.onReasoning,
        onToolCall: handlers.onToolCall,
      })) as GenerateResult
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** A request the engine stops on `signal` (its `abort` message names the request's id). */
  private async cancellable(message: DistributiveOmit<EngineRequest, 'id'>, signal?: AbortSignal): Promise<unknown> {
    const id = this.nextId
    const onAbort = () => this.process?.send({ type: 'abort', id })
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      return await this.request(message, 'generate')
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Where a model (path or URL) would run on this machine, from its GGUF header. */
  async inspect(source: string): Promise<ModelFit> {
    if (!/^https?:\/\//i.test(source)) await checkGgufHeader(source)
    await this.start()
    return (await this.request({ type: 'inspect', source }, 'inspect')) as ModelFit
  }

  /** The GPU, VRAM, RAM and cores the engine sees. */
  async hardware(): Promise<HardwareInfo> {
    await this.start()
    return (await this.request({ type: 'hardware' }, 'inspect')) as HardwareInfo
  }

  async close(): Promise<void> {
    this.closed = true
    const process = this.process
    this.process = null
    process?.kill()
    this.rejectAll(new AppError('ENGINE_CRASHED', 'The engine was shut down.'))
  }

  private request(
    message: DistributiveOmit<EngineRequest, 'id'>,
    kind: Pending['kind'],
    callbacks: Pick<Pending, 'onText' | 'onReasoning' | 'onToolCall' | 'onProgress'> = {},
  ): Promise<unknown> {
    const process = this.process
    if (!process) {
      return Promise.reject(new AppError('ENGINE_CRASHED', 'The engine is restarting; try again in a moment.'))
    }
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { kind, resolve, reject, ...callbacks })
      process.send({ ...message, id })
    })
  }

  private spawn(): Promise<void> {
    const process = this.options.launch()
    this.process = process
    const ready = new Promise<void>((resolve, reject) => {
      // A hung start is treated as a crash: kill it, so the exit handler restarts it.
      const timer = setTimeout(() => {
        reject(new AppError('ENGINE_CRASHED', 'The engine did not start within a minute.'))
        process.kill()
      }, READY_TIMEOUT_MS)
      process.onMessage((message) => {
        if (message.type === 'ready') {
          clearTimeout(timer)
          this.update({ state: this.state.model ? this.state.state : 'idle', gpu: message.gpu })
          resolve()
          return
        }
        this.route(message)
      })
      process.onExit((reason) => {
        clearTimeout(timer)
        reject(new AppError('ENGINE_CRASHED', `The engine stopped while starting (${reason}).`))
        if (this.process === process) this.onCrash(process, reason)
      })
    })
    ready.catch(() => undefined)
    return ready
  }

  private route(message: Exclude<EngineReply, { type: 'ready' }>): void {
    const pending = this.pending.get(message.id)
    if (!pending) return
    switch (message.type) {
      case 'progress':
        pending.onProgress?.(message.progress)
        return
      case 'text':
        this.deliver('text', () => pending.onText?.(message.text, message.tokens))
        return
      case 'reasoning':
        this.deliver('reasoning', () => pending.onReasoning?.(message.text, message.tokens))
        return
      case 'toolCall':
        this.deliver('tool-call', () => pending.onToolCall?.(message.delta, message.tokens))
        return
      case 'done':
        this.pending.delete(message.id)
        pending.resolve(message.value)
        return
      case 'failed':
        this.pending.delete(message.id)
        pending.reject(new AppError(message.error.code, message.error.message))
        return
    }
  }

  /** A consumer's failure (a closed socket, a full disk) must not take the host down with it. */
  private deliver(kind: string, listener: () => void): void {
    try {
      listener()
    } catch (error) {
      this.options.log?.(`a ${kind} listener failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private onCrash(process: EngineProcess, reason: string): void {
    this.process = null
    this.ready = null
    if (this.closed) return
    const wasLoading = this.loadInFlight?.process === process ? this.loadInFlight.path : null
    const inUse = wasLoading ? null : this.state.model
    const deaths = inUse ? (this.deathsWith.get(inUse.path) ?? 0) + 1 : 0
    if (inUse) this.deathsWith.set(inUse.path, deaths)
    const modelToReload = inUse && KILLED_FROM_OUTSIDE.test(reason) && deaths <= RELOADS_PER_MODEL ? inUse : null
    const crashedWhile = wasLoading
      ? `while loading ${basename(wasLoading)}; the file may be damaged or too large`
      : inUse && !modelToReload
        ? `while running ${inUse.fileName}, which was not loaded again; load it to try once more`
        : 'unexpectedly'
    this.options.log?.(`engine process exited (${reason}) ${crashedWhile}`)
    this.rejectAll(new AppError('ENGINE_CRASHED', `The engine stopped ${crashedWhile} (${reason}).`))

    const now = Date.now()
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < CRASH_WINDOW_MS), now]
    if (this.crashTimes.length > MAX_CRASHES) {
      this.update({
        state: 'idle',
        model: null,
        loading: null,
        notice: 'The engine keeps stopping; it was not restarted. Restart GridForge to try again.',
      })
      return
    }
    const notice = `The engine stopped ${crashedWhile} and was restarted.`
    // Taken before listeners hear of the crash: one of them may ask for another model at once.
    const intent = this.intent
    this.update({ state: 'restarting', model: null, loading: null, restarts: this.state.restarts + 1, notice })
    this.start()
      .then(async () => {
        // A load or unload asked for since the crash says what the engine should hold now, not the old model.
        if (modelToReload && intent === this.intent) {
          await this.serialise(async () => (intent === this.intent ? this.loadNow(modelToReload.path, notice) : null))
        }
      })
      .catch((error: unknown) => this.options.log?.(`engine restart failed: ${asAppError(error).message}`))
  }

  private rejectAll(error: AppError): void {
    const pending = [...this.pending.values()]
    this.pending.clear()
    for (const entry of pending) entry.reject(error)
  }

  private update(change: Partial<EngineSnapshot>): void {
    this.state = { ...this.state, ...change }
    for (const listener of this.listeners) listener(this.state)
  }
}

function asAppError(error: unknown): AppError {
  return error instanceof AppError ? error : new AppError('INTERNAL', error instanceof Error ? error.message : String(error))
}
