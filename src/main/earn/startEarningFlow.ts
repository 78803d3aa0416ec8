import type { ModelChoice, QuickStartChoice, QuickStartSnapshot, QuickStartStep, QuickStartStepName } from '../../shared/quickStart.js'
import { AppError } from '../../shared/result.js'
import type { MinerOutcome } from './miner.js'

/** How a wait for the grid ended: the awaited thing happened, the user stopped mining, or it failed and why. */
export type WaitOutcome = MinerOutcome

/** What Start earning does, step by step; the host wires these to the models, engine and earn services. */
export interface StartEarningPorts {
  /** The model's name and its file, or a null path when a catalog model has to be downloaded first. */
  resolve(choice: ModelChoice): Promise<{ name: string; path: string | null }>
  /** Downloads a catalog model and gives its path; aborting pauses the download (its partial file is kept). */
  download(catalogId: string, onProgress: (received: number, total: number | null) => void, signal: AbortSignal): Promise<string>
  loadedPath(): string | null
  load(path: string, onProgress: (fraction: number) => void): Promise<void>
  /**
   * Runs the grid readiness self-test when the model or the settings changed since the last one (its
   * result is the readiness service's to show); a failure of the check does not stop Start earning.
   */
  checkReadiness?(signal: AbortSignal): Promise<void>
  /** True while the miner runs (Start earning then has nothing to do). */
  isMining(): boolean
  /** Starts the miner and waits until it is connected to the grid. */
  connect(signal: AbortSignal): Promise<WaitOutcome>
  /** Waits for the first grid job. */
  firstJob(signal: AbortSignal): Promise<WaitOutcome>
  stopMining(): void
}

const STEPS: readonly QuickStartStepName[] = ['download', 'load', 'connect', 'first-job']

/** The ways out after each step's failure. */
const CHOICES: Record<QuickStartStepName, QuickStartChoice[]> = {
  download: ['retry', 'choose-model', 'cancel'],
  load: ['retry', 'choose-model', 'cancel'],
  connect: ['retry', 'cancel'],
  'first-job': ['retry', 'cancel'],
}

/** What failed and what to do about it, for each step. */
function failureMessage(step: QuickStartStepName, reason: string): string {
  switch (step) {
    case 'download':
      return `The model could not be downloaded: ${reason} Retry continues where it stopped; or choose another model.`
    case 'load':
      return `The model could not be loaded: ${reason} Retry, or choose a smaller model.`
    case 'connect':
      return `Could not connect to the grid: ${reason} Check the API key, the worker name and the connection, then Retry.`
    case 'first-job':
      return `Mining stopped before the first job: ${reason} Retry to connect again.`
  }
}

function asSentence(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).trim() || 'no reason was given.'
  return /[.!?]$/.test(text) ? text : `${text}.`
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1_000_000)} MB`
}

/** The chosen model is gone (file moved, not in the catalog): no download or load was tried. */
class UnavailableModel extends Error {}

const IDLE: QuickStartSnapshot = {
  phase: 'idle',
  model: null,
  modelName: null,
  steps: STEPS.map((name) => ({ name, state: 'pending', progress: null, detail: null })),
  failure: null,
}

/**
 * Start earning in one press: download the model if needed, load it, connect, wait for the first job.
 * One run at a time; each step's progress is in the snapshot, and a failure stops the run with a sentence
 * and the ways out (retry, another model, cancel).
 */
export class StartEarningFlow {
  private state: QuickStartSnapshot = IDLE
  private controller: AbortController | null = null
  private current: QuickStartStepName | null = null
  private running: Promise<void> | null = null
  private readonly listeners = new Set<(snapshot: QuickStartSnapshot) => void>()

  /** `lastModel`: the model of the last run (kept by the host), which the Earn view's Start uses again. */
  constructor(
    private readonly ports: StartEarningPorts,
    lastModel: ModelChoice | null = null,
  ) {
    this.state = { ...IDLE, model: lastModel }
  }

  snapshot(): QuickStartSnapshot {
    return this.state
  }

  onChange(listener: (snapshot: QuickStartSnapshot) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Starts a run (a retry is a new run: finished steps are quick to redo). */
  start(model: ModelChoice): QuickStartSnapshot {
    if (this.state.phase === 'running') throw new AppError('BUSY', 'Start earning is already under way.')
    if (this.ports.isMining()) throw new AppError('BUSY', 'You are already earning; stop first to start again with another model.')
    const controller = new AbortController()
    this.controller = controller
    this.current = null
    this.set({ ...IDLE, phase: 'running', model })
    this.running = this.run(model, controller.signal)
    return this.state
  }

  /**
   * Stops the run: a download is paused (its partial file kept), mining started by the run is stopped.
   * After a failure or success it only closes the run (mining that reached its first job goes on).
   */
  cancel(): QuickStartSnapshot {
    if (this.state.phase === 'failed' || this.state.phase === 'done') {
      this.set({ ...this.state, phase: 'cancelled' })
      return this.state
    }
    if (this.state.phase !== 'running') return this.state
    this.controller?.abort()
    if (this.current === 'connect' || this.current === 'first-job') this.ports.stopMining()
    this.set({
      ...this.state,
      phase: 'cancelled',
      steps: this.state.steps.map((step) => (step.state === 'active' ? { ...step, state: 'pending', progress: null, detail: null } : step)),
    })
    return this.state
  }

  /** Resolves when the current run has ended (for shutdown and tests). */
  async settled(): Promise<void> {
    await this.running
  }

  private async run(model: ModelChoice, signal: AbortSignal): Promise<void> {
    try {
      this.current = 'download'
      const resolved = await this.ports.resolve(model).catch((error: unknown) => {
        throw new UnavailableModel(asSentence(error))
      })
      if (signal.aborted) return
      this.set({ ...this.state, modelName: resolved.name })
      let path = resolved.path
      if (path) this.step('download', { state: 'skipped', progress: null, detail: 'Already on this PC.' })
      else if (model.kind === 'catalog') {
        this.step('download', { state: 'active', progress: 0, detail: 'Starting the download…' })
        path = await this.ports.download(
          model.catalogId,
          (received, total) =>
            this.step('download', {
              progress: total ? received / total : null,
              detail: total ? `${megabytes(received)} of ${megabytes(total)}` : megabytes(received),
            }),
          signal,
        )
        if (signal.aborted) return
        this.step('download', { state: 'done', progress: 1, detail: 'Downloaded.' })
      } else throw new AppError('NOT_FOUND', 'The model file is missing.')

      this.current = 'load'
      if (this.ports.loadedPath() === path) this.step('load', { state: 'skipped', progress: null, detail: 'Already loaded.' })
      else {
        this.step('load', { state: 'active', progress: 0, detail: 'Loading the model…' })
        await this.ports.load(path, (fraction) => this.step('load', { progress: fraction }))
        if (signal.aborted) return
        this.step('load', { state: 'done', progress: 1, detail: 'Model loaded.' })
      }

      this.current = 'connect'
      if (this.ports.checkReadiness) {
        this.step('connect', { state: 'active', detail: "Checking grid readiness: running the validators' tests on the model…" })
        await this.ports.checkReadiness(signal).catch(() => undefined)
        if (signal.aborted) return
      }
      this.step('connect', { state: 'active', detail: 'Connecting to the grid…' })
      if (!(await this.reached(this.ports.connect(signal), signal))) return
      this.step('connect', { state: 'done', detail: 'Connected.' })

      this.current = 'first-job'
      this.step('first-job', { state: 'active', detail: 'Waiting for the grid to send a job; this can take a few minutes.' })
      if (!(await this.reached(this.ports.firstJob(signal), signal))) return
      this.step('first-job', { state: 'done', detail: 'The first job arrived.' })
      this.current = null
      this.set({ ...this.state, phase: 'done' })
    } catch (error) {
      if (signal.aborted) return
      this.fail(this.current ?? 'download', error)
    }
  }

  /** True when a wait reached its goal; otherwise the run has ended here (stopped by the user, cancelled, or failed). */
  private async reached(wait: Promise<WaitOutcome>, signal: AbortSignal): Promise<boolean> {
    const outcome = await wait
    if (outcome.kind === 'stopped') {
      this.stoppedByUser()
      return false
    }
    if (signal.aborted) return false
    if (outcome.kind === 'failed') {
      this.fail(this.current ?? 'connect', outcome.reason)
      return false
    }
    return true
  }

  private stoppedByUser(): void {
    if (this.state.phase !== 'running') return
    this.current = null
    this.set({ ...this.state, phase: 'cancelled' })
  }

  private fail(step: QuickStartStepName, error: unknown): void {
    if (step === 'connect' || step === 'first-job') this.ports.stopMining()
    this.current = null
    this.step(step, { state: 'failed' })
    const message =
      error instanceof UnavailableModel
        ? `This model cannot be used: ${error.message} Choose another model.`
        : failureMessage(step, asSentence(error))
    this.set({ ...this.state, phase: 'failed', failure: { step, message, choices: CHOICES[step] } })
  }

  private step(name: QuickStartStepName, change: Partial<QuickStartStep>): void {
    if (this.state.phase !== 'running') return
    this.set({ ...this.state, steps: this.state.steps.map((step) => (step.name === name ? { ...step, ...change } : step)) })
  }

  private set(next: QuickStartSnapshot): void {
    this.state = next
    for (const listener of this.listeners) listener(next)
  }
}
