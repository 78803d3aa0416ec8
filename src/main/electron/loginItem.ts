import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { LoginItemSettings } from '../../shared/domain.js'

/** Started at login: show no window, only the tray. */
export const HIDDEN_ARG = '--hidden'
/** Started at login: start earning at once. */
export const START_EARNING_ARG = '--start-earning'

/** The part of Electron's `app` that registers login items on Windows and macOS. */
export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void
  getLoginItemSettings(): { wasOpenedAtLogin?: boolean }
}

/** The arguments the login item starts the app with. */
export function loginArgs(settings: LoginItemSettings): string[] {
  return [...(settings.startHidden ? [HIDDEN_ARG] : []), ...(settings.startEarning ? [START_EARNING_ARG] : [])]
}

/**
 * How this launch should start. Windows and Linux pass the arguments; macOS login items take no
 * arguments, so there the stored settings apply when the OS says it opened the app at login.
 */
export function launchMode(
  argv: readonly string[],
  platform: NodeJS.Platform,
  wasOpenedAtLogin: boolean,
  stored: LoginItemSettings,
): { hidden: boolean; startEarning: boolean } {
  if (platform === 'darwin' && wasOpenedAtLogin && stored.openAtLogin) {
    return { hidden: stored.startHidden, startEarning: stored.startEarning }
  }
  return { hidden: argv.includes(HIDDEN_ARG), startEarning: argv.includes(START_EARNING_ARG) }
}

/** The XDG autostart folder (`$XDG_CONFIG_HOME/autostart`). */
export function xdgAutostartDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'autostart')
}

/** An XDG `.desktop` entry that starts `exec` with `args` at login. */
export function autostartDesktopEntry(exec: string, args: readonly string[]): string {
  const command = [exec, ...args].map(quoteExecArg).join(' ')
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=GridForge',
    'Comment=Earn on the AI Power Grid with your idle PC',
    `Exec=${command}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n')
}

/** Quotes one Exec argument as the Desktop Entry spec requires (reserved characters, then % doubled). */
function quoteExecArg(arg: string): string {
  const escaped = arg.replaceAll('%', '%%')
  if (!/[\s"'\\`$<>~|&;*?#()]/.test(escaped)) return escaped
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`
}

/**
 * Registers or removes the login item: Electron's login items on Windows and macOS, an XDG autostart
 * file on Linux (Electron has none there). On Linux an AppImage is started through `$APPIMAGE`, since
 * its executable lives in a mount that changes each run, or through the file its update renamed it to.
 */
export function applyLoginItem(
  settings: LoginItemSettings,
  target: {
    platform: NodeJS.Platform
    app: LoginItemApp
    execPath: string
    /** Arguments before ours: the app folder when Electron runs unpackaged (`electron .`). */
    leadingArgs?: string[]
    autostartDir: string
    env?: NodeJS.ProcessEnv
    /** Where the AppImage is now, when its update renamed it (electron-updater's `appimage-filename-updated`). */
    appImage?: string
  },
): void {
  const args = [...(target.leadingArgs ?? []), ...loginArgs(settings)]
  if (target.platform !== 'linux') {
    target.app.setLoginItemSettings({ openAtLogin: settings.openAtLogin, path: target.execPath, args })
    return
  }
  const file = join(target.autostartDir, 'gridforge.desktop')
  if (!settings.openAtLogin) {
    if (existsSync(file)) rmSync(file)
    return
  }
  mkdirSync(target.autostartDir, { recursive: true })
  writeFileSync(file, autostartDesktopEntry(target.appImage || target.env?.APPIMAGE || target.execPath, args))
}
