import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DesktopPrefsFile } from '../../src/main/electron/desktopPrefs.js'
import { applyLoginItem, autostartDesktopEntry, launchMode, type LoginItemApp } from '../../src/main/electron/loginItem.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gf-login-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function fakeApp() {
  const calls: unknown[] = []
  const app: LoginItemApp = {
    setLoginItemSettings: (settings) => calls.push(settings),
    getLoginItemSettings: () => ({ wasOpenedAtLogin: false }),
  }
  return { app, calls }
}

describe('start at login', () => {
  it('is off by default, and a damaged preferences file leaves it off', () => {
    const dir = tempDir()
    const prefs = new DesktopPrefsFile(join(dir, 'desktop.json'))
    expect(prefs.read().loginItem).toEqual({ openAtLogin: false, startHidden: false, startEarning: false })
    prefs.update({ trayHintShown: true, loginItem: { openAtLogin: true, startHidden: true, startEarning: false } })
    expect(new DesktopPrefsFile(join(dir, 'desktop.json')).read().loginItem.openAtLogin).toBe(true)
  })

  it('registers an OS login item with the hidden and earning arguments on Windows and macOS', () => {
    const { app, calls } = fakeApp()
    const target = { platform: 'win32' as const, app, execPath: 'C:\\GridForge\\GridForge.exe', autostartDir: tempDir() }
    applyLoginItem({ openAtLogin: true, startHidden: true, startEarning: true }, target)
    applyLoginItem({ openAtLogin: false, startHidden: false, startEarning: false }, target)
    expect(calls).toEqual([
      { openAtLogin: true, path: 'C:\\GridForge\\GridForge.exe', args: ['--hidden', '--start-earning'] },
      { openAtLogin: false, path: 'C:\\GridForge\\GridForge.exe', args: [] },
    ])
  })

  it('writes and removes an XDG autostart entry on Linux, starting an AppImage through $APPIMAGE', () => {
    const { app, calls } = fakeApp()
    const autostartDir = join(tempDir(), 'autostart')
    const target = {
      platform: 'linux' as const,
      app,
      execPath: '/tmp/.mount_GridFoX/gridforge',
      autostartDir,
      env: { APPIMAGE: '/home/ann/Apps/GridForge 0.1.0.AppImage' },
    }
    applyLoginItem({ openAtLogin: true, startHidden: true, startEarning: false }, target)
    const entry = readFileSync(join(autostartDir, 'gridforge.desktop'), 'utf8')
    expect(entry).toContain('[Desktop Entry]')
    expect(entry).toContain('Exec="/home/ann/Apps/GridForge 0.1.0.AppImage" --hidden\n')
    applyLoginItem({ openAtLogin: false, startHidden: true, startEarning: false }, target)
    expect(existsSync(join(autostartDir, 'gridforge.desktop'))).toBe(false)
    expect(calls).toEqual([])
  })

  it('starts an unpackaged development run with its app folder', () => {
    const autostartDir = join(tempDir(), 'autostart')
    const target = {
      platform: 'linux' as const,
      app: fakeApp().app,
      execPath: '/repo/node_modules/electron/dist/electron',
      leadingArgs: ['/repo'],
      autostartDir,
    }
    applyLoginItem({ openAtLogin: true, startHidden: false, startEarning: true }, target)
    expect(readFileSync(join(autostartDir, 'gridforge.desktop'), 'utf8')).toContain(
      'Exec=/repo/node_modules/electron/dist/electron /repo --start-earning\n',
    )
  })

  it('escapes characters the Desktop Entry spec reserves', () => {
    expect(autostartDesktopEntry('/opt/a$b "c"/run', ['--x=100%'])).toContain('Exec="/opt/a\\$b \\"c\\"/run" --x=100%%\n')
  })

  it('starts hidden and earning only when launched that way at login', () => {
    const stored = { openAtLogin: true, startHidden: true, startEarning: true }
    expect(launchMode(['GridForge'], 'win32', false, stored)).toEqual({ hidden: false, startEarning: false })
    expect(launchMode(['GridForge', '--hidden'], 'linux', false, stored)).toEqual({ hidden: true, startEarning: false })
    expect(launchMode(['GridForge'], 'darwin', true, stored)).toEqual({ hidden: true, startEarning: true })
    expect(launchMode(['GridForge'], 'darwin', false, stored)).toEqual({ hidden: false, startEarning: false })
  })
})
