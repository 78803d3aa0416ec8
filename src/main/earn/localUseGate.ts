import type { JobGate } from '../../worker/ports.js'

/** How long after the last local chat or API request the miner waits before taking grid jobs again. */
export const DEFAULT_LOCAL_COOLDOWN_MS = 30_000

/**
 * Closed while the user uses the model locally (chat, local API) and for a cooldown after; the user's
 * own requests come first, grid jobs already running still finish.
 */
export class LocalUseGate implements JobGate {
  private closedUntil = 0
  private timer: NodeJS.Timeout | null = null
  private readonly waiters = new Set<() => void>()
  private readonly closeListeners = new Set<() => void>()

  constructor(
    private readonly cooldownMs = DEFAULT_LOCAL_COOLDOWN_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records local use now: closes the gate until the cooldown has passed. */
  noteLocalUse(): void {
    const wasOpen = this.isOpen()
    this.closedUntil = this.now() + this.cooldownMs
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => this.open(), this.cooldownMs)
    this.timer.unref?.()
    if (wasOpen) for (const listener of this.closeListeners) listener()
  }

  isOpen(): boolean {
    return this.now() >= this.closedUntil
  }

  whenOpen(signal?: AbortSignal): Promise<void> {
    if (this.isOpen() || signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      this.waiters.add(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  /** When the gate opens again, or null when open. */
  get reopensAt(): number | null {
    return this.isOpen() ? null : this.closedUntil
  }

  private open(): void {
    this.timer = null
    for (const waiter of [...this.waiters]) waiter()
  }
}
