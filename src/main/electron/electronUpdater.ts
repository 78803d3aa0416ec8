import electronUpdater from 'electron-updater'
import { UpdatePolicy, type UpdatePolicyDeps } from './updatePolicy.js'

/** Why updates are off for this run, or null when they may run. */
export function updatesDisabledReason(input: { isPackaged: boolean; env: NodeJS.ProcessEnv }): string | null {
  if (!input.isPackaged) return 'this is a development run (the app is not packaged)'
  if (input.env.NODE_ENV === 'development') return 'NODE_ENV is development'
  if (input.env.GRIDFORGE_DISABLE_UPDATES === '1') return 'GRIDFORGE_DISABLE_UPDATES=1 is set'
  return null
}

/**
 * The update policy over electron-updater's autoUpdater, which reads the GitHub releases feed that
 * electron-builder's `publish` setting writes into the app (app-update.yml).
 */
export function createElectronUpdatePolicy(
  deps: Omit<UpdatePolicyDeps, 'updater'>,
  logger: { info(...args: unknown[]): void; warn(...args: unknown[]): void; error(...args: unknown[]): void },
  beforeInstall: () => void,
): UpdatePolicy {
  // The autoUpdater getter builds the platform's updater; development runs never touch it.
  const policy = new UpdatePolicy({
    ...deps,
    updater: {
      checkForUpdates: () => electronUpdater.autoUpdater.checkForUpdates(),
      quitAndInstall: () => {
        beforeInstall()
        // Silent on Windows (the user already chose to restart), then relaunch the new version.
        electronUpdater.autoUpdater.quitAndInstall(true, true)
      },
    },
  })
  if (deps.disabledReason) return policy
  const { autoUpdater } = electronUpdater
  autoUpdater.logger = logger
  autoUpdater.autoDownload = true
  autoUpdater.autoInstallOnAppQuit = true
  autoUpdater.on('checking-for-update', () => policy.onChecking())
  autoUpdater.on('update-available', (info) => policy.onAvailable(info.version))
  autoUpdater.on('update-not-available', () => policy.onNotAvailable())
  autoUpdater.on('download-progress', (progress) => policy.onProgress(progress.percent / 100))
  autoUpdater.on('update-downloaded', (info) => policy.onDownloaded(info.version))
  autoUpdater.on('error', (error) => policy.onError(error))
  return policy
}
