import type { UpdateSnapshot } from '../../shared/domain.js'
import { installDidNotStartSentence, updateFailureSentence } from './updateErrors.js'

/** Check at start (after a short delay, so the window comes first) and then every four hours. */
export const UPDATE_CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000
export const FIRST_CHECK_DELAY_MS = 15_000
/** While an install waits for a job or reply to end, how often to look again. */
export const IDLE_POLL_MS = 5_000
/** An install that neither quits the app nor reports an error within this time has not started. */
export const INSTALL_WATCHDOG_MS = 60_000

/** The self-updater underneath (electron-updater's autoUpdater, or a fake). Downloads start on their own. */
export interface Updater {
  checkForUpdates(): Promise<unknown>
  quitAndInstall(): void
}

/** Everything the policy needs from outside. */
export interface UpdatePolicyDeps {
  updater: Updater
  /** Null when updates may run; otherwise why not (development, unpackaged, unsupported target). */
  disabledReason: string | null
  /** Null when nothing would be interrupted; otherwise what is running, in words ("a grid job is running"). */
  busyReason(): string | null
  /** Asks the user whether to restart now; true to restart. */
  ask(version: string | null): Promise<boolean>
  log(line: string): void
  /**
   * An install that failed or was cancelled left the app running: the shell undoes what it did before
   * the install (it stops treating the window's close as a quit) and tells the user `sentence`.
   */
  installFailed?(sentence: string): void
  /** Said with a downloaded update (the .deb: installing asks for the administrator password). */
  readyNote?: string | null
  now?: () => number
}

/**
 * When to check, download and install updates. Checks at start and every few hours; downloads in the
 * background; installs only when the user asks, and never while a grid job or a streaming reply is
 * running: then it waits until they are done and asks again.
 */
export class UpdatePolicy {
  private state: UpdateSnapshot
  private readonly listeners = new Set<(snapshot: UpdateSnapshot) => void>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private asking = false
  private installing = false
  private periodic: NodeJS.Timeout | null = null

  constructor(private readonly deps: UpdatePolicyDeps) {
    this.state = {
      state: deps.disabledReason ? 'disabled' : 'idle',
      version: null,
      progress: null,
      detail: deps.disabledReason,
      lastCheckedAt: null,
    }
  }

  snapshot(): UpdateSnapshot {
    return this.state
  }

  subscribe(listener: (snapshot: UpdateSnapshot) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Schedules the first check and the periodic ones; says in the log when updates are off and why. */
  start(): void {
    if (this.deps.disabledReason) {
      this.deps.log(`updates are off: ${this.deps.disabledReason}`)
      return
    }
    this.later(FIRST_CHECK_DELAY_MS, () => this.check())
    this.checkPeriodically()
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    if (this.periodic) clearInterval(this.periodic)
    this.periodic = null
  }

  /** Looks for an update now, unless one is already being fetched or waits to be installed. */
  check(): UpdateSnapshot {
    if (this.state.state === 'disabled') return this.state
    if (['checking', 'downloading', 'ready', 'waiting-for-idle'].includes(this.state.state)) return this.state
    this.set({ state: 'checking', detail: null })
    this.deps.updater.checkForUpdates().then(
      // An updater that finished without saying anything found nothing; do not stay "checking" forever.
      () => this.state.state === 'checking' && this.onNotAvailable(),
      (error: unknown) => this.failed(error),
    )
    return this.state
  }

  /** The user asked to restart: install now if nothing is running, otherwise wait for it and ask again. */
  restartToUpdate(): UpdateSnapshot {
    if (this.state.state !== 'ready' && this.state.state !== 'waiting-for-idle') return this.state
    const busy = this.deps.busyReason()
    if (!busy) {
      this.install()
      return this.state
    }
    if (this.state.state !== 'waiting-for-idle') {
      this.deps.log(`update ${this.state.version ?? ''} waits: ${busy}`)
      this.set({ state: 'waiting-for-idle', detail: `The update installs when this is done: ${busy}.` })
      this.pollUntilIdle()
    }
    return this.state
  }

  // The updater's events, forwarded by the adapter.
  onChecking(): void {
    this.set({ state: 'checking', detail: null })
  }
  onAvailable(version: string): void {
    this.deps.log(`update ${version} found; downloading in the background`)
    this.set({ state: 'downloading', version, progress: 0, detail: null, lastCheckedAt: this.now() })
  }
  onNotAvailable(): void {
    this.set({ state: 'up-to-date', progress: null, detail: null, lastCheckedAt: this.now() })
  }
  onProgress(fraction: number): void {
    if (this.state.state === 'downloading') this.set({ progress: Math.min(1, Math.max(0, fraction)) })
  }
  onDownloaded(version: string): void {
    this.deps.log(`update ${version} downloaded; it installs when the user restarts`)
    this.set({ state: 'ready', version, progress: 1, detail: this.deps.readyNote ?? null })
  }
  onError(error: unknown): void {
    this.failed(error)
  }

  private pollUntilIdle(): void {
    this.later(IDLE_POLL_MS, () => {
      if (this.state.state !== 'waiting-for-idle') return
      const busy = this.deps.busyReason()
      if (busy) {
        this.set({ detail: `The update installs when this is done: ${busy}.` })
        this.pollUntilIdle()
        return
      }
      void this.askAgain()
    })
  }

  private async askAgain(): Promise<void> {
    if (this.asking) return
    this.asking = true
    this.set({ state: 'ready', detail: this.deps.readyNote ?? null })
    try {
      if (await this.deps.ask(this.state.version)) this.restartToUpdate()
    } finally {
      this.asking = false
    }
  }

  private install(): void {
    this.deps.log(`restarting to install update ${this.state.version ?? ''}`)
    this.stop()
    this.installing = true
    // A successful install quits the app (and its timers); still being here later means it never started.
    this.later(INSTALL_WATCHDOG_MS, () => this.installEnded(installDidNotStartSentence(this.state.version)))
    try {
      this.deps.updater.quitAndInstall()
    } catch (error) {
      this.failed(error)
    }
  }

  private failed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error)
    if (this.installing) {
      this.deps.log(`update install failed: ${message}`)
      this.installEnded(updateFailureSentence(error, 'install', this.state.version))
      return
    }
    this.deps.log(`update check failed: ${message}`)
    // A failed download can be retried at the next check; the error stays visible until then.
    this.set({
      state: 'error',
      progress: null,
      detail: updateFailureSentence(error, 'fetch', this.state.version),
      lastCheckedAt: this.now(),
    })
  }

  /** The app is still running after an install was asked for: it stays usable and the update stays ready. */
  private installEnded(sentence: string): void {
    if (!this.installing) return
    this.installing = false
    this.stop()
    this.deps.log(sentence)
    this.set({ state: 'ready', detail: sentence })
    this.checkPeriodically()
    this.deps.installFailed?.(sentence)
  }

  private checkPeriodically(): void {
    const every = setInterval(() => this.check(), UPDATE_CHECK_INTERVAL_MS)
    every.unref?.()
    this.periodic = every
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      run()
    }, ms)
    timer.unref?.()
    this.timers.add(timer)
  }

  private now(): number {
    return (this.deps.now ?? Date.now)()
  }

  private set(change: Partial<UpdateSnapshot>): void {
    this.state = { ...this.state, ...change }
    for (const listener of this.listeners) listener(this.state)
  }
}
