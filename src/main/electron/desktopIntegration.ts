import type { DesktopSnapshot, LoginItemSettings } from '../../shared/domain.js'
import type { DesktopIntegration } from '../host/desktopIntegration.js'
import type { DesktopPrefsFile } from './desktopPrefs.js'
import type { UpdatePolicy } from './updatePolicy.js'

/**
 * The host's desktop port, built from the shell's parts: preferences in `desktop.json`, the OS login
 * item, the update policy and the logs folder.
 */
export function createDesktopIntegration(parts: {
  logsDir: string
  prefs: DesktopPrefsFile
  applyLoginItem(settings: LoginItemSettings): void
  updates: UpdatePolicy
  openFolder(path: string): Promise<string>
  log(line: string): void
}): DesktopIntegration {
  const listeners = new Set<(snapshot: DesktopSnapshot) => void>()
  const snapshot = (): DesktopSnapshot => ({ loginItem: parts.prefs.read().loginItem, update: parts.updates.snapshot() })
  const emit = () => {
    const current = snapshot()
    for (const listener of listeners) listener(current)
  }
  parts.updates.subscribe(emit)
  return {
    logsDir: parts.logsDir,
    snapshot,
    setLoginItem(settings) {
      parts.applyLoginItem(settings)
      parts.prefs.update({ loginItem: settings })
      parts.log(
        `start at login: ${settings.openAtLogin ? 'on' : 'off'}${settings.openAtLogin && settings.startHidden ? ', hidden' : ''}${settings.openAtLogin && settings.startEarning ? ', earning' : ''}`,
      )
      emit()
      return snapshot()
    },
    checkForUpdates() {
      parts.updates.check()
      return snapshot()
    },
    restartToUpdate() {
      parts.updates.restartToUpdate()
      return snapshot()
    },
    async openLogsFolder() {
      const error = await parts.openFolder(parts.logsDir)
      if (error) parts.log(`could not open the logs folder: ${error}`)
      return !error
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
