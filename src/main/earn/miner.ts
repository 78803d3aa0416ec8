import type { EarnSettings, EarnSnapshot, GridNetwork, JobRecord } from '../../shared/domain.js'
import { AppError } from '../../shared/result.js'
import { allOf } from '../../worker/allWorkers.js'
import { createWorker, type Worker, type WorkerEvent } from '../../worker/jobLoop.js'
import { bothGates } from '../../worker/bridge/bothGates.js'
import type { GenerationEngine, JobGate } from '../../worker/ports.js'
import type { Engine } from '../engine/engine.js'
import { Emitter, type EventListener } from '../lib/emitter.js'
import type { JobsRepository } from '../store/jobsRepository.js'
import { advertisedLimits } from '../../grid/advertisedLimits.js'
import { advertisedModels } from '../../grid/advertisedNames.js'
import type { WorkerSigner } from '../../grid/identity/workerSigner.js'
import type { GridCredentials } from './gridCredentials.js'
import type { MiningGate } from './miningGate.js'
import { freshRun, trackUnreachable } from '../../shared/uptime.js'

/** Token counts of running jobs reach the UI at most this often. */
const PROGRESS_PUSH_MS = 250

/** The miner's part of the Earn view's snapshot. */
export type MinerSnapshot = Pick<EarnSnapshot, 'state' | 'detail' | 'running' | 'sinceStart' | 'pause'>

/** How a wait on the miner ended: the awaited thing happened, the user stopped mining, or mining failed and why. */
export type MinerOutcome = { kind: 'reached' } | { kind: 'stopped' } | { kind: 'failed'; reason: string }

/** What a wait on the miner waits for: connected to the grid (or held by a policy), or the first job taken. */
export type MinerGoal = 'connected' | 'first-job'

/** The miner's events: its snapshot changed; a run started or ended; a job was answered (its ledger row). */
export interface MinerEvents {
  change: MinerSnapshot
  run: 'started' | 'ended'
  job: JobRecord
}

/** Bridge mode: a server the user already runs, serving instead of the loaded model (issue 18). */
export interface ExternalBackend {
  engine: GenerationEngine
  /** Closed while the server does not serve; the miner then holds no grid session. */
  gate: JobGate
  model: string
  /** The grid names of the server's model (a registry model's exact name on AIPG, §16.5); absent: `grid/<model>`. */
  names?: { aipg: string; horde: string }
  /** What the server says the model holds; null when it does not say (the Max context setting counts then). */
  contextLength: number | null
  /** This model's jobs at once and longest reply; null or absent: the Earn settings'. */
  slots?: number | null
  maxLength?: number | null
  close(): void
}

/** What the miner needs from the host. */
export interface MinerDependencies {
  engine: Engine
  ledger: JobsRepository
  /** Closed while a policy or local use of the model holds mining; the miner takes no new grid jobs then. */
  gate: MiningGate
  /** The settings a Start uses. */
  settings: () => EarnSettings
  credentials: Pick<GridCredentials, 'requireApiKey' | 'gridUrl'>
  /** The Client-Agent sent to the grid. */
  agent: string
  /** The Cloudflare Origin CA for the AIPG worker socket. */
  extraCa?: string
  /** The grid names of a catalog model loaded from `path` (null for other files: they use the file stem). */
  advertisedFor?: (path: string) => { aipg: string; horde: string } | null
  /** The worker identity: AIPG registrations and results are signed with it when a delegation is installed. */
  signer?: WorkerSigner
  /** Bridge mode: whether a server serves instead of the loaded model, and that server probed. */
  /** `signal` aborts when Stop is pressed while the server is being checked. */
  external?: { chosen(): boolean; open(network: GridNetwork, signal: AbortSignal): Promise<ExternalBackend[]> }
  now?: () => number
  log?: (line: string) => void
}

const IDLE: MinerSnapshot = {
  state: 'off',
  detail: null,
  running: [],
  sinceStart: { startedAt: null, endedAt: null, jobs: 0, tokens: 0, rewards: 0, unreachableMs: 0, unreachableSince: null },
  pause: null,
}

/** The worker's life cycle inside the host: one worker at a time, its live state, its jobs in the ledger. */
export class Miner {
  private worker: Worker | null = null
  private servingPath: string | null = null
  private stopReason: string | null = null
  /** Why the miner cannot serve now (it retries) or why its last run stopped; null when nothing went wrong. */
  private problem: string | null = null
  private running: Promise<void> | null = null
  /** The Start in progress (the model may be reloading for more slots); concurrent Starts share it. */
  private starting: Promise<MinerSnapshot> | null = null
  /** Stop was pressed while Start was still preparing: nothing is started once the preparing ends. */
  private stopWhileStarting = false
  /** Aborted by that Stop: the bridged server's checks before the start end then, not when they are done. */
  private startAbort = new AbortController()
  private state: MinerSnapshot = IDLE
  private pushTimer: NodeJS.Timeout | null = null
  private readonly events: Emitter<MinerEvents>
  private readonly workerEvents: Emitter<{ worker: WorkerEvent }>
  private readonly now: () => number

  constructor(private readonly deps: MinerDependencies) {
    this.now = deps.now ?? Date.now
    this.events = new Emitter(deps.log)
    this.workerEvents = new Emitter(deps.log)
    // The worker advertises and serves one model: if it goes away or changes, mining stops cleanly
    // instead of failing every job (faults on the Horde, strikes on AIPG).
    deps.engine.subscribe((engine) => {
      if (!this.worker || !this.servingPath) return
      if (engine.model?.path === this.servingPath || engine.state === 'restarting' || engine.state === 'loading') return
      this.stopReason = engine.model
        ? 'The model changed, so mining stopped; press Start to earn with the new one.'
        : 'The model was unloaded, so mining stopped; load a model and press Start.'
      this.worker.stop()
    })
    deps.gate.onChange((pause) => {
      if (!this.worker) return
      this.update({ pause, ...(this.state.state === 'paused' && pause ? { detail: pause.message } : {}) })
    })
  }

  snapshot(): MinerSnapshot {
    return this.state
  }

  /** Calls `listener` with every miner event; returns the function that stops it. */
  subscribe(listener: EventListener<MinerEvents>): () => void {
    return this.events.subscribe(listener)
  }

  /** Every event of the running worker (jobs, states; never job text), for the rig's metrics; returns the unsubscribe function. */
  onWorkerEvent(listener: (event: WorkerEvent) => void): () => void {
    return this.workerEvents.on('worker', listener)
  }

  /** One event only, its payload typed (the host's alert wiring). */
  on<K extends keyof MinerEvents & string>(name: K, listener: (payload: MinerEvents[K]) => void): () => void {
    return this.events.on(name, listener)
  }

  /** True while a worker runs or a Start prepares one: settings and keys stay as they are then. */
  isBusy(): boolean {
    return this.worker !== null || this.starting !== null
  }

  /** Starts mining; a Start while one is preparing gets that one's outcome instead of a second miner. */
  start(): Promise<MinerSnapshot> {
    if (this.worker) return Promise.resolve(this.state)
    this.starting ??= this.startWorker().finally(() => (this.starting = null))
    return this.starting
  }

  /** First call finishes jobs in flight; a second one cancels them. */
  stop(): MinerSnapshot {
    if (this.starting && !this.worker) {
      this.stopWhileStarting = true
      this.startAbort.abort()
      this.update({ state: 'stopping', detail: null })
      return this.state
    }
    this.worker?.stop()
    return this.state
  }

  /**
   * Waits until the miner reaches `goal`, is stopped by the user, or fails; now or after a change. Reconnects
   * (backoff) fail a wait to connect but not a wait for the first job: the worker rides those out.
   */
  until(goal: MinerGoal, signal: AbortSignal): Promise<MinerOutcome> {
    // Cancelled while the miner was starting: the abort event has fired already and would never reach this wait.
    if (signal.aborted) return Promise.resolve({ kind: 'stopped' })
    return new Promise<MinerOutcome>((resolve) => {
      const finish = (outcome: MinerOutcome) => {
        unsubscribe()
        signal.removeEventListener('abort', onAbort)
        resolve(outcome)
      }
      const check = () => {
        const outcome = this.outcome(goal)
        if (outcome) finish(outcome)
      }
      const onAbort = () => finish({ kind: 'stopped' })
      const unsubscribe = this.events.on('change', check)
      signal.addEventListener('abort', onAbort, { once: true })
      check()
    })
  }

  /** Stops mining for app shutdown: jobs in flight get the grace period, then are cancelled. */
  async close(): Promise<void> {
    if (this.starting) {
      this.stopWhileStarting = true
      this.startAbort.abort()
      await this.starting.catch(() => undefined)
    }
    this.worker?.stop()
    await this.running
    if (this.pushTimer) clearTimeout(this.pushTimer)
  }

  private outcome(goal: MinerGoal): MinerOutcome | null {
    const { state, sinceStart, running } = this.state
    const failed = (): MinerOutcome => ({ kind: 'failed', reason: this.problem ?? 'the grid could not be reached.' })
    if (goal === 'connected') {
      if (state === 'waiting' || state === 'working' || state === 'paused') return { kind: 'reached' }
      if (state === 'backoff' || state === 'error') return failed()
    } else {
      if (sinceStart.jobs > 0 || running.length > 0) return { kind: 'reached' }
      if (state === 'error') return failed()
    }
    if (state !== 'off') return null
    // Off with a reason is a failure; off without one is the user's Stop.
    return this.problem ? failed() : { kind: 'stopped' }
  }

  private async startWorker(): Promise<MinerSnapshot> {
    this.stopWhileStarting = false
    this.startAbort = new AbortController()
    const bridged = this.deps.external?.chosen() ?? false
    if (!bridged && !this.deps.engine.snapshot().model) throw new AppError('NO_MODEL', 'Load a model before you start earning.')
    const settings = this.deps.settings()
    const apiKey = this.deps.credentials.requireApiKey()
    this.problem = null
    const external = bridged ? await this.openExternal(settings.network) : null
    const closeExternal = () => external?.forEach((backend) => backend.close())
    if (external && this.stopWhileStarting) {
      closeExternal()
      this.update({ state: 'off', detail: null })
      return this.state
    }
    const sources = external
      ? external.map((backend) => this.externalSource(backend, settings, external.length > 1))
      : [await this.loadedSource(settings)]
    const ready = sources.filter((source) => source !== null)
    if (ready.length === 0) return this.state
    // Several bridged models run as `--backends-file` runs them: a worker each, one ledger, one run.
    const worker = allOf(
      ready.map((source) =>
        createWorker(
          {
            network: settings.network,
            gridUrl: this.deps.credentials.gridUrl(settings.network),
            apiKey,
            name: source.name,
            models: source.models,
            slots: source.slots,
            ...advertisedLimits({ ...settings, maxLength: source.maxLength }, source.context),
            agent: this.deps.agent,
            extraCa: this.deps.extraCa,
          },
          { engine: source.engine, ledger: this.deps.ledger, gate: source.gate, signer: this.deps.signer },
        ),
      ),
    )
    this.worker = worker
    this.servingPath = ready[0]!.path
    this.stopReason = null
    this.update({
      state: 'connecting',
      detail: null,
      running: [],
      sinceStart: freshRun(this.now()),
    })
    this.deps.gate.start()
    worker.subscribe((event) => this.onEvent(event))
    this.running = worker
      .run()
      .catch((error: unknown) => ({ reason: 'fatal' as const, message: `Mining stopped: ${(error as Error).message}` }))
      .then((exit) => {
        closeExternal()
        this.worker = null
        this.servingPath = null
        this.running = null
        this.deps.gate.stop()
        const message = exit.reason === 'fatal' ? exit.message : this.stopReason
        this.problem = message
        this.update({
          state: exit.reason === 'fatal' ? 'error' : 'off',
          detail: message,
          running: [],
          pause: null,
          sinceStart: { ...trackUnreachable(this.state.sinceStart, false, this.now()), endedAt: this.now() },
        })
        this.events.emit('run', 'ended')
      })
    this.events.emit('run', 'started')
    return this.state
  }

  private async openExternal(network: GridNetwork): Promise<ExternalBackend[]> {
    this.update({ state: 'connecting', detail: 'Checking the inference server…' })
    try {
      return await this.deps.external!.open(network, this.startAbort.signal)
    } catch (error) {
      this.update({ state: 'off', detail: null })
      throw error
    }
  }

  /** The bridged server: its model under the grid's name, its context, its health gate beside the policies. */
  private externalSource(external: ExternalBackend, settings: EarnSettings, several: boolean) {
    return {
      // Each model of a server list registers under a name of its own, as `--backends-file` names them.
      name: several ? `${settings.workerName}-${external.model.replace(/[^\w.-]+/g, '-')}` : settings.workerName,
      slots: external.slots ?? settings.slots,
      maxLength: external.maxLength ?? settings.maxLength,
      engine: external.engine,
      models: advertisedModels(settings.network, external.model, external.names),
      context: external.contextLength ?? settings.maxContextLength,
      gate: bothGates(this.deps.gate, external.gate),
      path: null,
    }
  }

  /** The loaded model, with a sequence per slot; null when Stop was pressed while it reloaded. */
  private async loadedSource(settings: EarnSettings) {
    const model = this.deps.engine.snapshot().model
    if (!model) throw new AppError('NO_MODEL', 'Load a model before you start earning.')
    // Each slot generates on its own sequence, next to the one kept for the user's chat.
    this.update({ state: 'connecting', detail: 'Preparing the model for the grid…' })
    await this.deps.engine.ensureSequences(settings.slots + 1, settings.maxContextLength).catch((error: unknown) => {
      this.update({ state: 'off', detail: null })
      throw error
    })
    if (this.stopWhileStarting) {
      this.update({ state: 'off', detail: null })
      return null
    }
    // The reload for more slots can leave each sequence less context: advertise what is loaded now (§16.4).
    const loadedContext = (this.deps.engine.snapshot().model ?? model).contextSize
    return {
      name: settings.workerName,
      slots: settings.slots,
      maxLength: settings.maxLength,
      engine: this.deps.engine,
      models: advertisedModels(settings.network, model.fileName, this.deps.advertisedFor?.(model.path) ?? null),
      context: loadedContext,
      gate: this.deps.gate,
      path: model.path,
    }
  }

  private onEvent(event: WorkerEvent): void {
    this.workerEvents.emit('worker', event)
    switch (event.type) {
      case 'state':
        if (event.state === 'stopped') return
        if (event.state === 'paused') {
          const pause = this.deps.gate.pause()
          this.update({ state: 'paused', pause, detail: pause?.message ?? event.detail ?? 'Paused by a mining policy.' })
          return
        }
        if (event.state === 'backoff') this.problem = event.problem ?? event.detail ?? 'the grid could not be reached.'
        this.update({ state: event.state, detail: event.detail, pause: this.deps.gate.pause() })
        return
      case 'job-started':
        this.update({
          running: [
            ...this.state.running,
            { jobId: event.jobId, network: event.network, model: event.model, tokens: 0, startedAt: this.now() },
          ],
        })
        return
      case 'job-progress':
        this.state = {
          ...this.state,
          running: this.state.running.map((job) => (job.jobId === event.jobId ? { ...job, tokens: event.tokens } : job)),
        }
        this.schedulePush()
        return
      case 'job-finished': {
        const { sinceStart } = this.state
        this.update({
          running: this.state.running.filter((job) => job.jobId !== event.record.jobId),
          sinceStart: {
            ...sinceStart,
            jobs: sinceStart.jobs + 1,
            tokens: sinceStart.tokens + event.record.completionTokens,
            rewards: sinceStart.rewards + (event.record.reward ?? 0),
          },
        })
        this.events.emit('job', event.record)
        return
      }
      case 'job-rewarded':
        this.update({ sinceStart: { ...this.state.sinceStart, rewards: this.state.sinceStart.rewards + (event.record.reward ?? 0) } })
        return
    }
  }

  private schedulePush(): void {
    this.pushTimer ??= setTimeout(() => {
      this.pushTimer = null
      this.events.emit('change', this.state)
    }, PROGRESS_PUSH_MS)
  }

  private update(change: Partial<MinerSnapshot>): void {
    const next = { ...this.state, ...change }
    if (change.state && next.sinceStart.endedAt === null)
      next.sinceStart = trackUnreachable(next.sinceStart, next.state === 'backoff', this.now())
    this.state = next
    this.events.emit('change', this.state)
  }
}
