import type { AppInfo, DesktopSnapshot, LoginItemSettings } from '../../../shared/domain'
import type { AppErrorShape, Result } from '../../../shared/result'
import { api } from './bridge'
import { refreshOnConnect } from './reconnect'
import { createStore } from './store'

/** Static facts about the host (shell, folders). */
export const appInfoStore = createStore<AppInfo | null>(null)
/** Start at login and the updater; stays null in the browser (headless host), which hides their UI. */
export const desktopStore = createStore<DesktopSnapshot | null>(null)
/** The last error of a desktop action. */
export const desktopErrorStore = createStore<AppErrorShape | null>(null)

async function refresh(): Promise<void> {
  if (!api) return
  const info = await api.call('app.info', {})
  if (!info.ok) return
  appInfoStore.set(info.value)
  if (info.value.shell !== 'desktop') return
  const desktop = await api.call('desktop.status', {})
  if (desktop.ok) desktopStore.set(desktop.value)
}

/** Loads app facts and the desktop state, and follows desktop changes; again after every reconnect. */
export function startDesktopState(): void {
  if (!api) return
  api.on('desktop.snapshot', (snapshot) => desktopStore.set(snapshot))
  refreshOnConnect(refresh)
}

/** Shows a desktop call's result: the new snapshot, or its error. */
function show(result: Result<DesktopSnapshot>): void {
  desktopErrorStore.set(result.ok ? null : result.error)
  if (result.ok) desktopStore.set(result.value)
}

/** Turns start at login on or off, with its options. */
export async function setLoginItem(settings: LoginItemSettings): Promise<void> {
  if (api) show(await api.call('desktop.setLoginItem', settings))
}

/** Turns spellcheck while typing on or off (on Windows and Linux, on downloads dictionaries from Google). */
export async function setSpellcheck(enabled: boolean): Promise<void> {
  if (api) show(await api.call('desktop.setSpellcheck', { enabled }))
}

/** Looks for an update now. */
export async function checkForUpdates(): Promise<void> {
  if (api) show(await api.call('desktop.update', { action: 'check' }))
}

/** Restarts into the downloaded update, or waits for running work and asks again. */
export async function restartToUpdate(): Promise<void> {
  if (api) show(await api.call('desktop.update', { action: 'restart' }))
}

/** Opens the logs folder in the file manager. */
export async function openLogsFolder(): Promise<void> {
  if (!api) return
  const result = await api.call('desktop.openLogsFolder', {})
  desktopErrorStore.set(
    !result.ok
      ? result.error
      : result.value.opened
        ? null
        : { code: 'INTERNAL', message: 'Could not open the logs folder; its path is shown above.' },
  )
}
