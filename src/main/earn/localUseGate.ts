import type { JobGate } from '../../worker/ports.js'
import { OpenWaiters } from './openWaiters.js'

/** How long after the last local chat or API request the miner waits before taking grid jobs again. */
export const DEFAULT_LOCAL_COOLDOWN_MS = 30_000

/**
 * Closed while the user uses the model locally (chat, local API) and for a cooldown after; the user's
 * own requests come first, grid jobs already running still finish.
 */
export class LocalUseGate implements JobGate {
  private closedUntil = 0
  private active = 0
  private timer: NodeJS.Timeout | null = null
  private readonly waiters = new OpenWaiters()
  private readonly closeListeners = new Set<() => void>()

  constructor(
    private cooldownMs = DEFAULT_LOCAL_COOLDOWN_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Changes the cooldown for local use from now on (Settings). */
  setCooldownMs(ms: number): void {
    this.cooldownMs = ms
  }

  get cooldown(): number {
    return this.cooldownMs
  }

  /**
   * Local use begins (a chat reply, an API request): the gate stays closed until every use has ended
   * and the cooldown after the last one has passed. Returns the function that ends it.
   */
  beginLocalUse(): () => void {
    const wasOpen = this.isOpen()
    this.active++
    if (wasOpen) for (const listener of this.closeListeners) listener()
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.active--
      this.noteLocalUse()
    }
  }

  /** Records local use now: closes the gate until the cooldown has passed. */
  noteLocalUse(): void {
    const wasOpen = this.isOpen()
    this.closedUntil = Math.max(this.closedUntil, this.now() + this.cooldownMs)
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => this.open(), this.cooldownMs)
    this.timer.unref?.()
    if (wasOpen) for (const listener of this.closeListeners) listener()
  }

  isOpen(): boolean {
    return this.active === 0 && this.now() >= this.closedUntil
  }

  whenOpen(signal?: AbortSignal): Promise<void> {
    return this.isOpen() ? Promise.resolve() : this.waiters.wait(signal)
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
    if (this.isOpen()) this.waiters.release()
  }
}
