import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createDesktopIntegration } from '../../src/main/electron/desktopIntegration.js'
import { DesktopPrefsFile } from '../../src/main/electron/desktopPrefs.js'
import { applyLoginItem, type LoginItemApp } from '../../src/main/electron/loginItem.js'
import { UpdatePolicy } from '../../src/main/electron/updatePolicy.js'
import { createDispatcher, type Handlers } from '../../src/main/host/dispatch.js'
import { requireDesktop } from '../../src/main/host/desktopIntegration.js'
import type { DesktopSnapshot, LoginItemSettings } from '../../src/shared/domain.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'gf-desktop-'))
  dirs.push(dir)
  const applied: LoginItemSettings[] = []
  const opened: string[] = []
  const spellchecks: boolean[] = []
  const logged: string[] = []
  const autostartDir = join(dir, 'autostart')
  const noApp: LoginItemApp = { setLoginItemSettings: () => undefined, getLoginItemSettings: () => ({}) }
  const updates = new UpdatePolicy({
    updater: { checkForUpdates: async () => undefined, quitAndInstall: () => undefined },
    disabledReason: null,
    busyReason: () => null,
    ask: async () => false,
    log: () => undefined,
  })
  const desktop = createDesktopIntegration({
    logsDir: join(dir, 'logs'),
    prefs: new DesktopPrefsFile(join(dir, 'desktop.json')),
    applyLoginItem: (settings, appImage) => {
      applied.push(settings)
      // The real Linux registration, into this test's autostart folder.
      applyLoginItem(settings, {
        platform: 'linux',
        app: noApp,
        execPath: '/tmp/.mount_GridFoXYZ/gridforge',
        autostartDir,
        env: { APPIMAGE: '/home/u/Apps/GridForge-0.1.0.AppImage' },
        appImage,
      })
    },
    updates,
    applySpellcheck: (enabled) => spellchecks.push(enabled),
    openFolder: async (path) => {
      opened.push(path)
      return path.includes('missing') ? 'Failed to open path' : ''
    },
    log: (line) => logged.push(line),
  })
  const autostartEntry = () => {
    const file = join(autostartDir, 'gridforge.desktop')
    return existsSync(file) ? readFileSync(file, 'utf8') : null
  }
  return { dir, desktop, applied, opened, updates, spellchecks, logged, autostartEntry }
}

describe('the desktop port', () => {
  it('starts with start at login off, and remembers the choice after a restart', () => {
    const { dir, desktop, applied } = setup()
    expect(desktop.snapshot().loginItem.openAtLogin).toBe(false)
    const seen: DesktopSnapshot[] = []
    desktop.subscribe((s) => seen.push(s))
    desktop.setLoginItem({ openAtLogin: true, startHidden: true, startEarning: false })
    expect(applied).toEqual([{ openAtLogin: true, startHidden: true, startEarning: false }])
    expect(seen.at(-1)?.loginItem.openAtLogin).toBe(true)
    expect(new DesktopPrefsFile(join(dir, 'desktop.json')).read().loginItem.startHidden).toBe(true)
  })

  it('pushes update progress to the UI and opens the logs folder', async () => {
    const { desktop, updates, opened, dir } = setup()
    const seen: string[] = []
    desktop.subscribe((s) => seen.push(s.update.state))
    updates.onAvailable('0.2.0')
    updates.onDownloaded('0.2.0')
    expect(seen).toEqual(['downloading', 'ready'])
    expect(await desktop.openLogsFolder()).toBe(true)
    expect(opened).toEqual([join(dir, 'logs')])
  })

  it('answers DESKTOP_ONLY in the headless host', async () => {
    const dispatch = createDispatcher({
      'desktop.status': () => requireDesktop(null).snapshot(),
    } as unknown as Handlers)
    expect(await dispatch('desktop.status', {})).toEqual({
      ok: false,
      error: { code: 'DESKTOP_ONLY', message: expect.stringMatching(/desktop app/) },
    })
  })

  it('keeps spellcheck off until the user turns it on, and remembers it', () => {
    const { dir, desktop, spellchecks } = setup()
    expect(desktop.snapshot().spellcheck).toBe(false)
    const seen: boolean[] = []
    desktop.subscribe((s) => seen.push(s.spellcheck))
    expect(desktop.setSpellcheck(true).spellcheck).toBe(true)
    expect(spellchecks).toEqual([true])
    expect(seen).toEqual([true])
    expect(new DesktopPrefsFile(join(dir, 'desktop.json')).read().spellcheck).toBe(true)
    desktop.setSpellcheck(false)
    expect(spellchecks).toEqual([true, false])
  })

  it('puts notes about this desktop up and takes them down, telling the UI and the log', () => {
    const { desktop, logged } = setup()
    const seen: DesktopSnapshot['notices'][] = []
    desktop.subscribe((s) => seen.push(s.notices))
    desktop.setNotice('no-tray-host', 'No tray here.')
    desktop.setNotice('no-tray-host', 'No tray here.')
    desktop.setNotice('idle-unavailable', 'No idle time here.')
    expect(desktop.snapshot().notices).toEqual([
      { kind: 'no-tray-host', message: 'No tray here.' },
      { kind: 'idle-unavailable', message: 'No idle time here.' },
    ])
    desktop.setNotice('no-tray-host', null)
    expect(desktop.snapshot().notices).toEqual([{ kind: 'idle-unavailable', message: 'No idle time here.' }])
    expect(seen).toHaveLength(3)
    expect(logged).toEqual(['No tray here.', 'No idle time here.'])
  })

  it('points start at login at the AppImage its update renamed, and leaves it off when it is off', () => {
    const { desktop, autostartEntry } = setup()
    desktop.followAppImage('/home/u/Apps/GridForge-0.2.0.AppImage')
    expect(autostartEntry()).toBeNull()
    desktop.setLoginItem({ openAtLogin: true, startHidden: true, startEarning: false })
    expect(autostartEntry()).toContain('Exec=/home/u/Apps/GridForge-0.1.0.AppImage --hidden')
    desktop.followAppImage('/home/u/Apps/GridForge-0.2.0.AppImage')
    expect(autostartEntry()).toContain('Exec=/home/u/Apps/GridForge-0.2.0.AppImage --hidden')
  })
})
