import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createDesktopIntegration } from '../../src/main/electron/desktopIntegration.js'
import { DesktopPrefsFile } from '../../src/main/electron/desktopPrefs.js'
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
    applyLoginItem: (settings) => applied.push(settings),
    updates,
    openFolder: async (path) => {
      opened.push(path)
      return path.includes('missing') ? 'Failed to open path' : ''
    },
    log: () => undefined,
  })
  return { dir, desktop, applied, opened, updates }
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
})
