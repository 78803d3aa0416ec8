import type { ReadinessReport, ReadinessSnapshot } from '../../shared/readiness.js'
import { AppError } from '../../shared/result.js'
import type { Clock, GenerationEngine } from '../../worker/ports.js'
import { advertisedLimits } from '../../grid/advertisedLimits.js'
import { runReadiness } from '../../worker/readiness/runner.js'
import type { Engine } from '../engine/engine.js'
import { Emitter } from '../lib/emitter.js'
import type { SavedReadiness } from './lastReadiness.js'

/** The events of the readiness check. */
export interface ReadinessEvents {
  snapshot: ReadinessSnapshot
}

export interface ReadinessDependencies {
  engine: Engine
  /** The limits the user set for the miner; the loaded context caps them as it caps what the worker advertises. */
  requestedLimits(): { maxLength: number; maxContextLength: number }
  /** A sentence when the check must not run now (mining uses the model), else null. */
  busyReason?(): string | null
  /**
   * Bridge mode: while the miner serves through the user's own server, the check runs on that server's
   * model (the validators test whatever answers the grid's jobs); null otherwise.
   */
  bridged?(): BridgedModel | null
  /** Where the last report is kept across restarts. */
  saved?: { get(): SavedReadiness | null; set(saved: SavedReadiness): void }
  clock?: Clock
  log?: (line: string) => void
}

/** The model of the user's own server, as the check sees it. */
export interface BridgedModel {
  /** Which server and model: another one makes the last report stale. */
  id: string
  modelName: string
  /** The server's model probed, and the context it says it holds (null when it does not say). */
  open(): Promise<{ engine: GenerationEngine; contextLength: number | null }>
}

interface Run {
  key: string
  modelName: string
  promise: Promise<ReadinessReport>
  controller: AbortController
}

/**
 * Runs the grid readiness self-test on the loaded model with the limits the miner would advertise, one run
 * at a time, and keeps the last report. A report belongs to one model and one set of limits: another model
 * or other settings make it stale, and Start earning runs it again.
 */
export class ReadinessService {
  private readonly emitter: Emitter<ReadinessEvents>
  private run: Run | null = null
  private last: SavedReadiness | null
  private progress: { done: number; total: number } | null = null
  private message: string | null = null

  constructor(private readonly deps: ReadinessDependencies) {
    this.emitter = new Emitter(deps.log)
    this.last = deps.saved?.get() ?? null
    let lastPath = deps.engine.snapshot().model?.path ?? null
    deps.engine.subscribe((snapshot) => {
      const path = snapshot.model?.path ?? null
      if (path === lastPath) return
      lastPath = path
      this.push()
    })
  }

  subscribe(listener: Parameters<Emitter<ReadinessEvents>['subscribe']>[0]): () => void {
    return this.emitter.subscribe(listener)
  }

  snapshot(): ReadinessSnapshot {
    const key = this.currentKey()
    return {
      state: this.run ? 'running' : this.message ? 'failed' : this.last ? 'done' : 'idle',
      progress: this.run ? this.progress : null,
      report: this.last?.report ?? null,
      modelName: this.run?.modelName ?? this.last?.modelName ?? null,
      stale: !!this.last && this.last.key !== key,
      message: this.message,
    }
  }

  /** Starts a check now (the Earn view's "Check grid readiness"); a check under way is left to finish. */
  check(): ReadinessSnapshot {
    if (!this.run) this.start().catch(() => undefined)
    return this.snapshot()
  }

  /**
   * The report for the loaded model and the current settings: the last one when it is for them, else a
   * new run (Start earning: once per model and settings change).
   */
  async ensureChecked(signal?: AbortSignal): Promise<ReadinessReport> {
    const key = this.currentKey()
    if (this.last && this.last.key === key) return this.last.report
    // A check of another model or other settings still under way finishes first.
    const pending = !this.run
      ? this.start()
      : this.run.key === key
        ? this.run.promise
        : this.run.promise.catch(() => undefined).then(() => this.ensureChecked())
    if (!signal) return pending
    return new Promise<ReadinessReport>((resolve, reject) => {
      const onAbort = () => reject(new AppError('BUSY', 'Cancelled.'))
      signal.addEventListener('abort', onAbort, { once: true })
      pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }

  /** Stops a check under way (shutdown). */
  async close(): Promise<void> {
    const run = this.run
    run?.controller.abort()
    await run?.promise.catch(() => undefined)
  }

  /** Throws (before anything runs) when there is no model or mining uses it. */
  private start(): Promise<ReadinessReport> {
    if (this.run) return this.run.promise
    const bridged = this.deps.bridged?.() ?? null
    const model = this.deps.engine.snapshot().model
    if (!bridged && !model) throw new AppError('NO_MODEL', 'Load a model to check it for the grid.')
    const busy = this.deps.busyReason?.()
    if (busy) throw new AppError('BUSY', busy)
    const key = this.currentKey()!
    const modelName = bridged?.modelName ?? model!.fileName
    const requested = this.deps.requestedLimits()
    const controller = new AbortController()
    this.message = null
    this.progress = { done: 0, total: 0 }
    const target = bridged ? bridged.open() : Promise.resolve({ engine: this.deps.engine, contextLength: model!.contextSize })
    const promise = target
      .then(({ engine, contextLength }) =>
        runReadiness({
          engine,
          // A server that does not say its context is checked with the Max context the miner would advertise.
          limits: advertisedLimits(requested, contextLength ?? requested.maxContextLength),
          clock: this.deps.clock,
          signal: controller.signal,
          onResult: (_result, done, total) => {
            this.progress = { done, total }
            this.push()
          },
        }),
      )
      .then(
        (report) => {
          this.last = { key, modelName, report }
          this.deps.saved?.set(this.last)
          return report
        },
        (error: unknown) => {
          this.message = `The readiness check stopped: ${error instanceof Error ? error.message : String(error)}`
          throw error
        },
      )
    this.run = { key, modelName, promise, controller }
    const settle = () => {
      if (this.run?.promise === promise) this.run = null
      this.progress = null
      this.push()
    }
    promise.then(settle, settle)
    this.push()
    return promise
  }

  private currentKey(): string | null {
    const bridged = this.deps.bridged?.()
    if (bridged) return keyOf(`server:${bridged.id}`, null, this.deps.requestedLimits())
    const model = this.deps.engine.snapshot().model
    return model ? keyOf(model.path, model.contextSize, advertisedLimits(this.deps.requestedLimits(), model.contextSize)) : null
  }

  private push(): void {
    this.emitter.emit('snapshot', this.snapshot())
  }
}

function keyOf(path: string, contextSize: number | null, limits: { maxLength: number; maxContextLength: number }): string {
  return JSON.stringify([path, contextSize, limits.maxLength, limits.maxContextLength])
}
