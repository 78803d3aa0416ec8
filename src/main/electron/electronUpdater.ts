import electronUpdater from 'electron-updater'
import { UpdatePolicy, type UpdatePolicyDeps } from './updatePolicy.js'

/** Why updates are off for this run, or null when they may run. */
export function updatesDisabledReason(input: { isPackaged: boolean; env: NodeJS.ProcessEnv }): string | null {
  if (!input.isPackaged) return 'this is a development run (the app is not packaged)'
  if (input.env.NODE_ENV === 'development') return 'NODE_ENV is development'
  if (input.env.GRIDFORGE_DISABLE_UPDATES === '1') return 'GRIDFORGE_DISABLE_UPDATES=1 is set'
  return null
}

/** How the platform's updater installs: by itself (NSIS, macOS, AppImage) or through the system's package manager as root (.deb, .rpm, pacman). */
export type InstallerKind = 'self' | 'package-manager'

/**
 * Whether quitting installs a downloaded update. A package manager install runs pkexec, so an ordinary
 * Quit (or a logout) would pop up a root password prompt: there the update installs only when the user
 * chooses Restart to update.
 */
export function installOnQuit(kind: InstallerKind): boolean {
  return kind === 'self'
}

/** What the UI says next to a downloaded update, by how it installs. */
export function readyNoteFor(kind: InstallerKind): string | null {
  return kind === 'package-manager'
    ? 'Installing asks for your administrator password (the package is installed by the system); quitting does not install it.'
    : null
}

/**
 * The update policy over electron-updater's autoUpdater, which reads the GitHub releases feed that
 * electron-builder's `publish` setting writes into the app (app-update.yml).
 */
export function createElectronUpdatePolicy(
  deps: Omit<UpdatePolicyDeps, 'updater' | 'readyNote'>,
  logger: { info(...args: unknown[]): void; warn(...args: unknown[]): void; error(...args: unknown[]): void },
  beforeInstall: () => void,
  onAppImageRenamed: (path: string) => void,
): UpdatePolicy {
  // The autoUpdater getter builds the platform's updater; development runs never touch it.
  const updater = {
    checkForUpdates: () => electronUpdater.autoUpdater.checkForUpdates(),
    quitAndInstall: () => {
      beforeInstall()
      // Silent on Windows (the user already chose to restart), then relaunch the new version.
      electronUpdater.autoUpdater.quitAndInstall(true, true)
    },
  }
  if (deps.disabledReason) return new UpdatePolicy({ ...deps, updater })
  const { autoUpdater, DebUpdater, RpmUpdater, PacmanUpdater } = electronUpdater
  const kind: InstallerKind =
    autoUpdater instanceof DebUpdater || autoUpdater instanceof RpmUpdater || autoUpdater instanceof PacmanUpdater
      ? 'package-manager'
      : 'self'
  const policy = new UpdatePolicy({ ...deps, updater, readyNote: readyNoteFor(kind) })
  autoUpdater.logger = logger
  autoUpdater.autoDownload = true
  autoUpdater.autoInstallOnAppQuit = installOnQuit(kind)
  autoUpdater.on('checking-for-update', () => policy.onChecking())
  autoUpdater.on('update-available', (info) => policy.onAvailable(info.version))
  autoUpdater.on('update-not-available', () => policy.onNotAvailable())
  autoUpdater.on('download-progress', (progress) => policy.onProgress(progress.percent / 100))
  autoUpdater.on('update-downloaded', (info) => policy.onDownloaded(info.version))
  autoUpdater.on('error', (error) => policy.onError(error))
  // A versioned AppImage is renamed to the new version's file name; the login item must follow it.
  autoUpdater.on('appimage-filename-updated', (path) => onAppImageRenamed(path))
  return policy
}
