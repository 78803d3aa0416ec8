import { EventEmitter } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { appImageSandboxNote } from '../../src/main/electron/appImageSandbox.js'
import { APP_URL, appFileFor } from '../../src/main/electron/appProtocol.js'
import { followEngineProcess, type EngineProcessEvents } from '../../src/main/electron/engineProcessEvents.js'
import { IDLE_SAMPLE_MS, IDLE_ZERO_WINDOW_MS, IdleWatch, isWaylandSession } from '../../src/main/electron/idleWatch.js'
import { isAppUrl, isTrustedSender } from '../../src/main/electron/navigationGuards.js'
import { permissionGranted } from '../../src/main/electron/permissions.js'
import { sessionEndHandler } from '../../src/main/electron/sessionEnd.js'
import { linuxTrayHost, trayUsable, type CommandRunner } from '../../src/main/electron/trayHost.js'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** A built renderer folder, with a secret beside it and a link inside that points out. */
function rendererFolder() {
  const base = mkdtempSync(join(tmpdir(), 'gf-app-'))
  dirs.push(base)
  const renderer = join(base, 'renderer')
  mkdirSync(join(renderer, 'assets'), { recursive: true })
  writeFileSync(join(renderer, 'index.html'), '<!doctype html>')
  writeFileSync(join(renderer, 'assets', 'index-abc.js'), 'export {}')
  writeFileSync(join(base, 'secret.txt'), 'not for the window')
  symlinkSync(join(base, 'secret.txt'), join(renderer, 'assets', 'escape.js'))
  return { base, renderer }
}

describe('the app:// protocol', () => {
  it('serves the renderer files', async () => {
    const { renderer } = rendererFolder()
    expect(await appFileFor(APP_URL, renderer)).toEqual({ file: join(renderer, 'index.html') })
    expect(await appFileFor('app://gridforge/', renderer)).toEqual({ file: join(renderer, 'index.html') })
    expect(await appFileFor('app://gridforge/assets/index-abc.js?v=1#x', renderer)).toEqual({
      file: join(renderer, 'assets', 'index-abc.js'),
    })
  })

  it('refuses paths out of the renderer folder, however they are written', async () => {
    const { renderer } = rendererFolder()
    for (const url of [
      'app://gridforge/../secret.txt',
      'app://gridforge/%2e%2e/secret.txt',
      'app://gridforge/assets/..%2F..%2Fsecret.txt',
      'app://gridforge/..%5Csecret.txt',
      'app://gridforge/assets/escape.js',
      'app://gridforge/index.html%00.js',
      'app://gridforge/%E0%A4%A',
      'app://other/index.html',
      'app://gridforge/missing.js',
    ]) {
      const answer = await appFileFor(url, renderer)
      expect(answer, url).not.toHaveProperty('file')
      expect([400, 404], url).toContain((answer as { status: number }).status)
    }
  })

  it('is the only page the window trusts: navigation, IPC senders and permissions', () => {
    expect(isAppUrl('app://gridforge/index.html#/chat', APP_URL)).toBe(true)
    expect(isAppUrl('app://evil/index.html', APP_URL)).toBe(false)
    expect(isAppUrl('file:///opt/GridForge/resources/app/out/renderer/index.html', APP_URL)).toBe(false)
    expect(isAppUrl('https://gridforge/index.html', APP_URL)).toBe(false)
    expect(isTrustedSender({ url: APP_URL, parent: null }, APP_URL)).toBe(true)
    expect(isTrustedSender({ url: 'app://evil/', parent: null }, APP_URL)).toBe(false)
    const clipboard = { permission: 'clipboard-sanitized-write', isMainFrame: true }
    expect(permissionGranted({ ...clipboard, requestingUrl: APP_URL }, APP_URL)).toBe(true)
    expect(permissionGranted({ ...clipboard, requestingUrl: 'app://evil/' }, APP_URL)).toBe(false)
  })
})

/** A D-Bus as `dbus-send` and `gdbus` answer it, or missing. */
function bus(answer: { dbusSend?: string | null; gdbus?: string | null }): CommandRunner {
  return async (command) => (command === 'dbus-send' ? (answer.dbusSend ?? null) : (answer.gdbus ?? null))
}

describe('the tray host on Linux', () => {
  const gnome = { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' }

  it('is present when a StatusNotifierWatcher owns its bus name (KDE, Ubuntu GNOME with AppIndicator)', async () => {
    expect(await linuxTrayHost(gnome, bus({ dbusSend: 'method return time=1 sender=x\n   boolean true\n' }))).toBe('present')
    expect(await linuxTrayHost(gnome, bus({ gdbus: '(true,)\n' }))).toBe('present')
  })

  it('is absent on a GNOME without one, so the window is never hidden into an invisible tray', async () => {
    const host = await linuxTrayHost(gnome, bus({ dbusSend: '   boolean false\n' }))
    expect(host).toBe('absent')
    expect(trayUsable('linux', host)).toBe(false)
    expect(await linuxTrayHost({ XDG_CURRENT_DESKTOP: 'GNOME' }, bus({ gdbus: '(false,)' }))).toBe('absent')
  })

  it('is unknown (and the tray trusted, as before) elsewhere or when D-Bus cannot be asked', async () => {
    expect(await linuxTrayHost({ XDG_CURRENT_DESKTOP: 'XFCE' }, bus({ dbusSend: 'boolean false' }))).toBe('unknown')
    expect(await linuxTrayHost(gnome, bus({}))).toBe('unknown')
    expect(trayUsable('linux', 'unknown')).toBe(true)
    expect(trayUsable('win32', 'absent')).toBe(true)
  })
})

describe('the idle time on Wayland', () => {
  /** Readings every 30 s from `start`, as the shell samples them. */
  function feed(watch: IdleWatch, readings: number[], start = 0): boolean[] {
    return readings.map((idle, i) => watch.sample(idle, start + i * IDLE_SAMPLE_MS))
  }
  const quarterHourOfZeros = Array<number>(IDLE_ZERO_WINDOW_MS / IDLE_SAMPLE_MS + 1).fill(0)

  it('that stays exactly 0 for a quarter of an hour is said to be unavailable, not read as "never idle"', () => {
    const watch = new IdleWatch(true)
    const changes = feed(watch, quarterHourOfZeros)
    expect(watch.reporting()).toBe('unavailable')
    expect(changes.filter(Boolean)).toHaveLength(1)
    expect(changes.at(-1)).toBe(true)
  })

  it('is working as soon as one reading is above 0, and then stays trusted', () => {
    const watch = new IdleWatch(true)
    feed(watch, [0, 0, 3])
    expect(watch.reporting()).toBe('working')
    feed(watch, quarterHourOfZeros, 10 * IDLE_SAMPLE_MS)
    expect(watch.reporting()).toBe('working')
  })

  it('comes back from "unavailable" when the compositor starts reporting it', () => {
    const watch = new IdleWatch(true)
    feed(watch, quarterHourOfZeros)
    expect(watch.sample(42, IDLE_ZERO_WINDOW_MS * 2)).toBe(true)
    expect(watch.reporting()).toBe('working')
  })

  it('is only suspected in Wayland sessions', () => {
    expect(isWaylandSession('linux', { XDG_SESSION_TYPE: 'wayland' })).toBe(true)
    expect(isWaylandSession('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(true)
    expect(isWaylandSession('linux', { XDG_SESSION_TYPE: 'x11' })).toBe(false)
    expect(isWaylandSession('win32', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(false)
    const x11 = new IdleWatch(false)
    feed(x11, quarterHourOfZeros)
    expect(x11.reporting()).toBe('working')
  })
})

describe('the AppImage on Ubuntu 24.04 and later', () => {
  const appImage = { APPIMAGE: '/home/u/GridForge-0.1.0.AppImage' }

  it('says it runs without the sandbox and points to the .deb when AppArmor blocks user namespaces', () => {
    expect(appImageSandboxNote({ platform: 'linux', env: appImage, usernsRestriction: '1\n', noSandbox: true })).toMatch(
      /without Chromium's sandbox because AppArmor .* install the \.deb/,
    )
  })

  it('says nothing where the sandbox runs, for the .deb, or on other systems', () => {
    expect(appImageSandboxNote({ platform: 'linux', env: appImage, usernsRestriction: '1', noSandbox: false })).toBeNull()
    expect(appImageSandboxNote({ platform: 'linux', env: appImage, usernsRestriction: '0', noSandbox: true })).toBeNull()
    expect(appImageSandboxNote({ platform: 'linux', env: appImage, usernsRestriction: null, noSandbox: true })).toBeNull()
    expect(appImageSandboxNote({ platform: 'linux', env: {}, usernsRestriction: '1', noSandbox: true })).toBeNull()
  })
})

describe('the end of the OS session (shutdown, restart, logout)', () => {
  it('stops the miner and closes the store once, whichever event comes first, then quits', async () => {
    const steps: string[] = []
    const end = sessionEndHandler({
      close: async () => {
        steps.push('close')
      },
      quit: () => steps.push('quit'),
      log: (line) => steps.push(line),
    })
    await Promise.all([end('Windows shutdown'), end('Windows shutdown'), end('the system is shutting down')])
    expect(steps).toEqual(['the session is ending (Windows shutdown): stopping the miner and closing the store', 'close', 'quit'])
  })

  it('still quits when closing fails, and logs why', async () => {
    const steps: string[] = []
    const end = sessionEndHandler({
      close: async () => {
        throw new Error('database is locked')
      },
      quit: () => steps.push('quit'),
      log: (line) => steps.push(line),
    })
    await end('Windows logoff')
    expect(steps.slice(1)).toEqual(['closing at session end failed: database is locked', 'quit'])
  })
})

describe('the engine utility process', () => {
  it("logs a fatal 'error' instead of letting it throw in the main process, and its output line by line", () => {
    const child = Object.assign(new EventEmitter(), { stdout: new EventEmitter(), stderr: new EventEmitter() })
    const lines: string[] = []
    followEngineProcess(child as unknown as EngineProcessEvents, (line) => lines.push(line))
    expect(() => child.emit('error', 'FatalError', 'v8::ToLocalChecked', '{}')).not.toThrow()
    child.stdout.emit('data', Buffer.from('llama: loaded\npart'))
    child.stderr.emit('data', 'ggml: warning\n')
    child.stdout.emit('data', 'ial\n')
    expect(lines).toEqual([
      'engine process error: FatalError at v8::ToLocalChecked',
      'engine: llama: loaded',
      'engine: ggml: warning',
      'engine: partial',
    ])
  })
})
