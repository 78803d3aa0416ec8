/** Lets one alert of a kind through per window: a flapping rig or a hot GPU is told once, not every poll. */
export class RepeatLimiter {
  private readonly last = new Map<string, number>()

  constructor(private readonly now: () => number) {}

  /** True (and the window restarts) when nothing of `kind` went out within `windowMs`. */
  allow(kind: string, windowMs: number): boolean {
    const now = this.now()
    const at = this.last.get(kind)
    if (at !== undefined && now - at < windowMs) return false
    this.last.set(kind, now)
    return true
  }
}
