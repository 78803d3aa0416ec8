import { EventEmitter } from 'node:events'
import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { appMenuTemplate, type MenuActions } from '../../src/main/electron/appMenu.js'
import { crashReloadPolicy } from '../../src/main/electron/crashReload.js'
import { installFatalErrorHandlers } from '../../src/main/electron/fatalErrors.js'
import { configureLogging, LOG_MAX_BYTES, lineSplitter, type ConfigurableLogger } from '../../src/main/electron/logging.js'
import { SecretRedactor } from '../../src/main/electron/secretRedactor.js'

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])])
}

function menu(isPackaged: boolean, platform: NodeJS.Platform) {
  const clicked: string[] = []
  const actions: MenuActions = {
    openLogsFolder: () => clicked.push('logs'),
    openWebsite: () => clicked.push('website'),
    checkForUpdates: () => clicked.push('updates'),
    quit: () => clicked.push('quit'),
  }
  const items = flatten(appMenuTemplate({ isPackaged, platform, appName: 'GridForge', actions }))
  const click = (label: string) => {
    const item = items.find((i) => i.label === label)
    if (!item?.click) throw new Error(`no menu item ${label}`)
    ;(item.click as () => void)()
  }
  return { items, clicked, click, roles: items.map((i) => i.role).filter(Boolean) }
}

describe('the application menu', () => {
  it('has File, Edit, View and Help, with logs, website, updates and quit wired to their actions', () => {
    const { items, click, clicked, roles } = menu(true, 'linux')
    expect(items.filter((i) => i.submenu).map((i) => i.label ?? i.role)).toEqual(['File', 'Edit', 'View', 'help'])
    for (const label of ['Open Logs Folder', 'GridForge Website', 'Check for Updates…', 'Quit']) click(label)
    expect(clicked).toEqual(['logs', 'website', 'updates', 'quit'])
    expect(roles).toEqual(expect.arrayContaining(['copy', 'paste', 'cut', 'undo', 'selectAll']))
  })

  it('offers reload and developer tools only when not packaged', () => {
    expect(menu(true, 'win32').roles).not.toEqual(expect.arrayContaining(['reload']))
    expect(menu(true, 'win32').roles).not.toContain('toggleDevTools')
    expect(menu(false, 'win32').roles).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']))
  })

  it('puts Quit and Check for Updates in the app menu on macOS', () => {
    const { items } = menu(true, 'darwin')
    const appMenu = items[0]!
    expect(appMenu.label).toBe('GridForge')
    const labels = (appMenu.submenu as MenuItemConstructorOptions[]).map((i) => i.label)
    expect(labels).toEqual(expect.arrayContaining(['Quit GridForge', 'Check for Updates…']))
  })
})

describe('uncaught main-process errors', () => {
  function setup() {
    const target = new EventEmitter()
    const logged: string[] = []
    const shown: string[] = []
    let time = 0
    installFatalErrorHandlers(
      target,
      { log: (what, error) => logged.push(`${what}: ${String(error)}`), show: (_t, m) => shown.push(m), now: () => time },
      '/data/logs',
    )
    return { target, logged, shown, advance: (ms: number) => (time += ms) }
  }

  it('are logged and shown in a dialog that names the logs folder, and the process keeps running', () => {
    const { target, logged, shown } = setup()
    target.emit('uncaughtException', new Error('disk on fire'))
    target.emit('unhandledRejection', 'plain reason')
    expect(logged).toEqual([
      'uncaught exception in the main process: Error: disk on fire',
      'unhandled rejection in the main process: plain reason',
    ])
    expect(shown).toHaveLength(1)
    expect(shown[0]).toMatch(/^disk on fire\n/)
    expect(shown[0]).toContain('/data/logs')
  })

  it('show at most one dialog every ten seconds when an error repeats in a loop', () => {
    const { target, logged, shown, advance } = setup()
    for (let i = 0; i < 5; i++) target.emit('uncaughtException', new Error(`loop ${i}`))
    advance(10_000)
    target.emit('uncaughtException', new Error('later'))
    expect(logged).toHaveLength(6)
    expect(shown.map((m) => m.split('\n')[0])).toEqual(['loop 0', 'later'])
  })
})

describe('the log', () => {
  it('never contains a registered API key or anything shaped like a credential', () => {
    const redactor = new SecretRedactor()
    redactor.add('aipg_live_1234567890abcdef')
    redactor.add('short')
    const line = redactor.redact(
      'submit failed for key aipg_live_1234567890abcdef; Authorization: Bearer sk-abcdefgh123 url http://127.0.0.1:5199/#token=f00dbeef apikey="xyzxyzxyz" short word',
    )
    expect(line).not.toContain('aipg_live_1234567890abcdef')
    expect(line).not.toContain('sk-abcdefgh123')
    expect(line).not.toContain('f00dbeef')
    expect(line).not.toContain('xyzxyzxyz')
    expect(line).toContain('short word')
    const error = redactor.redactValue(new Error('bad key aipg_live_1234567890abcdef')) as Error
    expect(error.message).toBe('bad key [secret]')
    expect(error.stack).not.toContain('aipg_live_1234567890abcdef')
    expect(redactor.redactValue({ apiKey: 'aipg_live_1234567890abcdef' })).not.toContain('aipg_live')
  })

  it('rotates at about 5 MB in the logs folder and redacts every message before it is written', () => {
    const logger: ConfigurableLogger = {
      transports: { file: { resolvePathFn: () => '', maxSize: 0, level: false }, console: { level: false } },
      hooks: [],
    }
    const redactor = new SecretRedactor()
    redactor.add('secret-key-123456')
    expect(configureLogging(logger, '/data/logs', redactor)).toBe('/data/logs/main.log')
    expect(logger.transports.file.resolvePathFn()).toBe('/data/logs/main.log')
    expect(logger.transports.file.maxSize).toBe(LOG_MAX_BYTES)
    expect(LOG_MAX_BYTES).toBe(5 * 1024 * 1024)
    const out = logger.hooks[0]!({ data: ['using secret-key-123456', 42] })
    expect(out).toEqual({ data: ['using [secret]', 42] })
  })

  it('takes engine output line by line, holding a partial line until it is complete', () => {
    const lines: string[] = []
    const feed = lineSplitter((line) => lines.push(line))
    feed('model loaded\nthreads: ')
    expect(lines).toEqual(['model loaded'])
    feed(Buffer.from('2\r\n\n'))
    expect(lines).toEqual(['model loaded', 'threads: 2'])
  })
})

describe('a crashed window', () => {
  it('is reloaded, unless it crashed more than three times in a minute', () => {
    let time = 0
    const policy = crashReloadPolicy(60_000, () => time)
    expect([policy.shouldReload(), policy.shouldReload(), policy.shouldReload()]).toEqual([true, true, true])
    time += 1_000
    expect(policy.shouldReload()).toBe(false)
    time += 61_000
    expect(policy.shouldReload()).toBe(true)
  })
})
