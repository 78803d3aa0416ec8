/** Whether this desktop shows tray icons: a host that draws them, none, or cannot tell. */
export type TrayHost = 'present' | 'absent' | 'unknown'

/** Runs a command and gives its stdout, or null when it could not run (missing, failed, timed out). */
export type CommandRunner = (command: string, args: string[]) => Promise<string | null>

const WATCHER = 'org.kde.StatusNotifierWatcher'

/**
 * Linux tray icons are drawn by a StatusNotifierWatcher on the session bus (KDE, Cinnamon, XFCE, the
 * AppIndicator extension of Ubuntu's GNOME); Electron shows its Tray through it. Without one, on GNOME
 * the icon is invisible (GNOME Shell has no other tray), while other desktops may still have an old
 * XEmbed tray, so there it cannot be told. Asked of D-Bus with `dbus-send`, else `gdbus`.
 */
export async function linuxTrayHost(env: NodeJS.ProcessEnv, run: CommandRunner): Promise<TrayHost> {
  const watcher = await watcherOnBus(run)
  if (watcher === true) return 'present'
  const gnome = (env.XDG_CURRENT_DESKTOP ?? '')
    .toLowerCase()
    .split(':')
    .some((name) => name === 'gnome' || name.endsWith('-gnome'))
  return watcher === false && gnome ? 'absent' : 'unknown'
}

/** True when a usable tray can be relied on: always on Windows and macOS; on Linux unless known absent. */
export function trayUsable(platform: NodeJS.Platform, host: TrayHost): boolean {
  return platform !== 'linux' || host !== 'absent'
}

async function watcherOnBus(run: CommandRunner): Promise<boolean | null> {
  const viaDbusSend = await run('dbus-send', [
    '--session',
    '--print-reply',
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus.NameHasOwner',
    `string:${WATCHER}`,
  ])
  const fromDbusSend = /boolean (true|false)/.exec(viaDbusSend ?? '')?.[1]
  if (fromDbusSend) return fromDbusSend === 'true'
  const viaGdbus = await run('gdbus', [
    'call',
    '--session',
    '--dest',
    'org.freedesktop.DBus',
    '--object-path',
    '/org/freedesktop/DBus',
    '--method',
    'org.freedesktop.DBus.NameHasOwner',
    WATCHER,
  ])
  const fromGdbus = /\((true|false),\)/.exec(viaGdbus ?? '')?.[1]
  return fromGdbus ? fromGdbus === 'true' : null
}

/** The sentence for the desktop notes when the tray cannot be seen. */
export const NO_TRAY_HOST_NOTE =
  'This desktop shows no tray icons (on GNOME, the AppIndicator extension adds them), so closing the window while earning minimises it instead of hiding it in an invisible tray.'
