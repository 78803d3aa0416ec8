/** Whether the OS reports how long the user has been idle. */
export type IdleReporting = 'working' | 'suspect' | 'unavailable'

/** How long every reading must stay exactly 0 before it counts as "not reported", and how often to read. */
export const IDLE_ZERO_WINDOW_MS = 15 * 60 * 1000
export const IDLE_SAMPLE_MS = 30_000

/**
 * Electron's `powerMonitor.getSystemIdleTime()` answers 0 forever on Wayland compositors that do not
 * give apps the idle time, which would make "only when the PC is idle" mean "never", silently. A real
 * idle clock grows whenever the user stops for a second or two, so readings that stay exactly 0 for a
 * quarter of an hour in a Wayland session mean it is not reported; one reading above 0 proves it works.
 */
export class IdleWatch {
  private state: IdleReporting
  private zeroSince: number | null = null

  constructor(private readonly wayland: boolean) {
    this.state = wayland ? 'suspect' : 'working'
  }

  /** Feeds one reading; true when what is reported changed. */
  sample(idleSeconds: number, now: number): boolean {
    if (this.state === 'working') return false
    const before = this.state
    if (idleSeconds > 0) {
      this.state = 'working'
      this.zeroSince = null
    } else {
      this.zeroSince ??= now
      if (now - this.zeroSince >= IDLE_ZERO_WINDOW_MS) this.state = 'unavailable'
    }
    return this.state !== before
  }

  reporting(): IdleReporting {
    return this.state
  }
}

/** A Wayland session, where the idle time may not be reported (XWayland sees only X11 apps' input). */
export function isWaylandSession(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  return platform === 'linux' && (env.XDG_SESSION_TYPE === 'wayland' || !!env.WAYLAND_DISPLAY)
}

/** The sentence for the desktop notes when the idle time is not reported. */
export const IDLE_UNAVAILABLE_NOTE =
  'This desktop (Wayland) does not tell apps how long you have been idle, so GridForge always sees you as active: a mining policy that waits for idle minutes never mines here; set it to 0 and use the schedule instead.'
