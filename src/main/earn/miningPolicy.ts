import type { MiningPolicySettings, PauseInfo, ScheduleWindow } from '../../shared/domain.js'

/** What the host can tell about the user and the power supply (Electron: `powerMonitor`). */
export interface IdleSource {
  /** Seconds since the last keyboard or mouse input. */
  idleSeconds(): number
  onBattery(): boolean
}

/** Headless hosts have no user at the keyboard and no battery to save. */
export const alwaysIdle: IdleSource = { idleSeconds: () => Number.POSITIVE_INFINITY, onBattery: () => false }

/** Mines whenever the local model is free, as before policies existed. */
export const DEFAULT_POLICY: MiningPolicySettings = {
  idleMinutes: 0,
  pauseOnBattery: true,
  schedule: { enabled: false, windows: [] },
  localCooldownSeconds: 30,
}

const WEEK_HOURS = 7 * 24
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

/**
 * Whether the policies allow taking a grid job at `now`, and if not, why, in words. Pure: the same
 * settings, time and idle readings always give the same answer. Battery comes first (it overrides
 * everything), then the schedule, then the user at the keyboard.
 */
export function evaluatePolicy(policy: MiningPolicySettings, now: number, idle: IdleSource): PauseInfo | null {
  if (policy.pauseOnBattery && idle.onBattery()) {
    return { reason: 'battery', message: 'Paused on battery; mining resumes when the PC is plugged in.', resumesAt: null }
  }
  if (policy.schedule.enabled && !inSchedule(policy.schedule.windows, now)) {
    const resumesAt = nextWindowStart(policy.schedule.windows, now)
    const when = resumesAt === null ? '' : ` (resumes ${formatWeekTime(resumesAt)})`
    return { reason: 'schedule', message: `Paused by schedule${when}.`, resumesAt }
  }
  if (policy.idleMinutes > 0) {
    const idleSeconds = idle.idleSeconds()
    const neededSeconds = policy.idleMinutes * 60
    if (idleSeconds < neededSeconds) {
      return {
        reason: 'user-active',
        message: `Paused because you are using the PC; mining resumes after ${formatMinutes(policy.idleMinutes)} without input.`,
        resumesAt: now + Math.ceil((neededSeconds - idleSeconds) * 1000),
      }
    }
  }
  return null
}

/** True when `now` (host local time) falls inside one of the windows. */
export function inSchedule(windows: ScheduleWindow[], now: number): boolean {
  const date = new Date(now)
  const day = date.getDay()
  const hour = date.getHours()
  const yesterday = (day + 6) % 7
  return windows.some((window) => {
    const end = window.endHour
    if (end > window.startHour) return window.days.includes(day) && hour >= window.startHour && hour < end
    // Past midnight: the evening part belongs to the start day, the morning part to the day after it.
    return (window.days.includes(day) && hour >= window.startHour) || (window.days.includes(yesterday) && hour < end)
  })
}

/** The next full hour at which a window opens, within a week; null when no window ever opens. */
export function nextWindowStart(windows: ScheduleWindow[], now: number): number | null {
  const start = new Date(now)
  start.setMinutes(0, 0, 0)
  for (let hours = 1; hours <= WEEK_HOURS + 1; hours++) {
    // Stepping by local wall-clock hours (not by 3600 s) keeps the answer right across DST changes.
    const candidate = new Date(start)
    candidate.setHours(start.getHours() + hours)
    if (inSchedule(windows, candidate.getTime())) return candidate.getTime()
  }
  return null
}

/** "Mon 22:00" in host local time. */
export function formatWeekTime(at: number): string {
  const date = new Date(at)
  return `${DAY_NAMES[date.getDay()]} ${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`
}

function formatMinutes(minutes: number): string {
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}
