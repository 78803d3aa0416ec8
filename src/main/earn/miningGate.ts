import type { MiningPolicySettings, PauseInfo } from '../../shared/domain.js'
import type { JobGate } from '../../worker/ports.js'
import type { LocalUseGate } from './localUseGate.js'
import { DEFAULT_POLICY, evaluatePolicy, type IdleSource } from './miningPolicy.js'
import { OpenWaiters } from './openWaiters.js'
import { DEFAULT_THERMAL } from '../../shared/miningPolicySchema.js'
import type { ThermalGuard } from './thermalGuard.js'

/** How often the policies are looked at while mining: the user coming back stops new jobs within this. */
export const POLICY_POLL_MS = 2000

/**
 * The one gate the worker waits on: closed while a policy (battery, schedule, user at the keyboard),
 * a GPU too hot, or local use of the model holds mining. Policies are polled; local use closes it at once.
 */
export class MiningGate implements JobGate {
  private policy: MiningPolicySettings = DEFAULT_POLICY
  private timer: NodeJS.Timeout | null = null
  private last: PauseInfo | null = null
  private watchingLocal = false
  private readonly waiters = new OpenWaiters()
  private readonly closeListeners = new Set<() => void>()
  private readonly changeListeners = new Set<(pause: PauseInfo | null) => void>()

  constructor(
    private readonly local: LocalUseGate,
    private readonly idle: IdleSource,
    private readonly now: () => number = Date.now,
    private readonly pollMs = POLICY_POLL_MS,
    /** Holds mining while the GPU is too hot; absent, temperature never pauses. */
    private readonly thermal: ThermalGuard | null = null,
  ) {
    local.onClose(() => this.check())
    thermal?.on('hot', () => this.check())
  }

  setPolicy(policy: MiningPolicySettings): void {
    this.policy = policy
    this.local.setCooldownMs(policy.localCooldownSeconds * 1000)
    this.thermal?.setLimits(policy.thermal ?? DEFAULT_THERMAL)
    this.check()
  }

  /** Starts polling the policies and the GPU's temperature (while mining). */
  start(): void {
    this.timer ??= setInterval(() => this.check(), this.pollMs)
    this.timer.unref?.()
    this.thermal?.start()
    this.check()
  }

  /** Stops polling; waiters are released by their own abort signals. */
  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.thermal?.stop()
  }

  /** Why no new job may be taken now, or null when one may. */
  pause(): PauseInfo | null {
    const policy = evaluatePolicy(this.policy, this.now(), this.idle)
    if (policy) return policy
    const thermal = this.thermal?.pause() ?? null
    if (thermal) return thermal
    if (this.local.isOpen()) return null
    const seconds = Math.round(this.local.cooldown / 1000)
    return {
      reason: 'local-use',
      message: `Paused because you are using the model on this PC (chat or local API); grid jobs resume ${seconds} s after.`,
      resumesAt: this.local.reopensAt,
    }
  }

  isOpen(): boolean {
    return this.pause() === null
  }

  whenOpen(signal?: AbortSignal): Promise<void> {
    return this.isOpen() ? Promise.resolve() : this.waiters.wait(signal)
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  /** Told when the pause reason or its words change (not on every poll). */
  onChange(listener: (pause: PauseInfo | null) => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  /** Looks at the policies now: closes, opens and reports changes. Called by the poll and by tests. */
  check(): void {
    const pause = this.pause()
    const before = this.last
    this.last = pause
    if (pause && !before) for (const listener of [...this.closeListeners]) listener()
    if (!pause) this.waiters.release()
    if (pause?.message !== before?.message) for (const listener of [...this.changeListeners]) listener(pause)
    if (pause?.reason === 'local-use') this.watchLocalReopen()
  }

  /** Local use ends on its own timer: look again the moment it does, not at the next poll. */
  private watchLocalReopen(): void {
    if (this.watchingLocal) return
    this.watchingLocal = true
    void this.local.whenOpen().then(() => {
      this.watchingLocal = false
      this.check()
    })
  }
}
