import type { DesktopSnapshot, LoginItemSettings } from '../../shared/domain.js'
import { AppError } from '../../shared/result.js'

/**
 * What the desktop shell adds to the host: start at login, the self-updater and the logs folder. The
 * headless host has none of it (null), and its calls answer DESKTOP_ONLY.
 */
export interface DesktopIntegration {
  /** Where the rotating log files are. */
  readonly logsDir: string
  snapshot(): DesktopSnapshot
  setLoginItem(settings: LoginItemSettings): DesktopSnapshot
  checkForUpdates(): DesktopSnapshot
  restartToUpdate(): DesktopSnapshot
  openLogsFolder(): Promise<boolean>
  setSpellcheck(enabled: boolean): DesktopSnapshot
  /** Calls `listener` on every change; returns the function that stops it. */
  subscribe(listener: (snapshot: DesktopSnapshot) => void): () => void
}

/** The desktop integration, or the one-sentence refusal the headless host gives. */
export function requireDesktop(desktop: DesktopIntegration | null): DesktopIntegration {
  if (!desktop) {
    throw new AppError('DESKTOP_ONLY', 'Start at login, updates and the logs folder belong to the desktop app; this is the headless host.')
  }
  return desktop
}
