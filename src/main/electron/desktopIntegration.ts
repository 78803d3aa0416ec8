import type { DesktopNotice, DesktopSnapshot, LoginItemSettings } from '../../shared/domain.js'
import type { DesktopIntegration } from '../host/desktopIntegration.js'
import type { DesktopPrefsFile } from './desktopPrefs.js'
import type { UpdatePolicy } from './updatePolicy.js'

/** The shell's side of the desktop port: what the host's part does not need to see. */
export interface ShellDesktopIntegration extends DesktopIntegration {
  /** Puts a note about this desktop up (a message) or takes it down (null); the UI is told when that changes. */
  setNotice(kind: DesktopNotice['kind'], message: string | null): void
  /** The app file moved (an AppImage renamed by its update): a login item that is on follows it. */
  followAppImage(path: string): void
}

/**
 * The host's desktop port, built from the shell's parts: preferences in `desktop.json`, the OS login
 * item, the update policy, the session's spellchecker, the logs folder and notes about this desktop.
 */
export function createDesktopIntegration(parts: {
  logsDir: string
  prefs: DesktopPrefsFile
  /** Registers the login item; `appImage` is where the AppImage now is, when that changed. */
  applyLoginItem(settings: LoginItemSettings, appImage?: string): void
  updates: UpdatePolicy
  applySpellcheck(enabled: boolean): void
  openFolder(path: string): Promise<string>
  log(line: string): void
}): ShellDesktopIntegration {
  const listeners = new Set<(snapshot: DesktopSnapshot) => void>()
  const notices = new Map<DesktopNotice['kind'], string>()
  const snapshot = (): DesktopSnapshot => {
    const prefs = parts.prefs.read()
    return {
      loginItem: prefs.loginItem,
      update: parts.updates.snapshot(),
      spellcheck: prefs.spellcheck,
      notices: [...notices].map(([kind, message]) => ({ kind, message })),
    }
  }
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
    setSpellcheck(enabled) {
      parts.applySpellcheck(enabled)
      parts.prefs.update({ spellcheck: enabled })
      parts.log(`spellcheck: ${enabled ? 'on' : 'off'}`)
      emit()
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
    setNotice(kind, message) {
      if ((notices.get(kind) ?? null) === message) return
      if (message === null) notices.delete(kind)
      else {
        notices.set(kind, message)
        parts.log(message)
      }
      emit()
    },
    followAppImage(path) {
      const { loginItem } = parts.prefs.read()
      if (!loginItem.openAtLogin) return
      parts.applyLoginItem(loginItem, path)
      parts.log(`start at login follows the updated AppImage: ${path}`)
    },
  }
}
