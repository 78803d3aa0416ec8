import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  net,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron'
import log from 'electron-log/main'
import { runtimePaths } from '../host/runtimePaths.js'
import { FileSecretStore } from '../store/secretStore.js'
import { dataPaths } from '../host/dataDir.js'
import { createHost, type Host } from '../host/createHost.js'
import { ensureUsableDatabase, type RecoveryQuestion } from '../store/startupRecovery.js'
import { SECURITY_HEADERS } from '../server/securityHeaders.js'
import { appImageSandboxNote, USERNS_RESTRICTION_FILE } from './appImageSandbox.js'
import { appMenuTemplate, WEBSITE_URL } from './appMenu.js'
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, APP_URL, appFileFor } from './appProtocol.js'
import { crashReloadPolicy } from './crashReload.js'
import { createDesktopIntegration, type ShellDesktopIntegration } from './desktopIntegration.js'
import { desktopNotifier } from './desktopNotifier.js'
import { DesktopPrefsFile } from './desktopPrefs.js'
import { DesktopTray } from './desktopTray.js'
import { createElectronUpdatePolicy, updatesDisabledReason } from './electronUpdater.js'
import { installFatalErrorHandlers } from './fatalErrors.js'
import { IDLE_SAMPLE_MS, IDLE_UNAVAILABLE_NOTE, IdleWatch, isWaylandSession } from './idleWatch.js'
import { bindIpc } from './ipcBinding.js'
import { applyLoginItem, launchMode, xdgAutostartDir } from './loginItem.js'
import { configureLogging } from './logging.js'
import { externalUrlToOpen, isAppUrl } from './navigationGuards.js'
import { permissionGranted } from './permissions.js'
import { powerIdleSource } from './powerIdleSource.js'
import { EncryptedSecretStore } from './safeStorageSecrets.js'
import { redactingSecretStore, SecretRedactor } from './secretRedactor.js'
import { sessionEndHandler } from './sessionEnd.js'
import { electronSqliteBinding } from './sqliteBinding.js'
import { linuxTrayHost, NO_TRAY_HOST_NOTE, trayUsable, type CommandRunner, type TrayHost } from './trayHost.js'
import { isMining, windowCloseDecision } from './trayStatus.js'
import type { UpdatePolicy } from './updatePolicy.js'
import { utilityLauncher } from './utilityLauncher.js'
import { mainWindowOptions } from './windowOptions.js'
import { initialWindowBounds, keepWindowState } from './windowStateKeeper.js'

const paths = runtimePaths(import.meta.url)
const preloadPath = join(paths.rendererDir, '..', 'preload', 'index.cjs')
const appUrl = APP_URL
// Before ready, as Electron requires: app:// gets an origin of its own, so the CSP's 'self' is the app.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }])

// `--data-dir`-style isolation for tests and second profiles; set before the single-instance lock,
// which is per data folder.
if (process.env.GRIDFORGE_DATA_DIR) app.setPath('userData', resolve(process.env.GRIDFORGE_DATA_DIR))
const dataDir = app.getPath('userData')
// The engine process reads its engine choice from the data folder.
process.env.GRIDFORGE_DATA_DIR = dataDir
const data = dataPaths(dataDir)
const redactor = new SecretRedactor()
mkdirSync(data.logs, { recursive: true })
configureLogging(log, data.logs, redactor)
const info = (line: string) => log.info(line)

installFatalErrorHandlers(
  process,
  {
    log: (what, error) => log.error(`${what}:`, error),
    show: (title, message) => dialog.showErrorBox(title, redactor.redact(message)),
  },
  data.logs,
)

const prefs = new DesktopPrefsFile(join(dataDir, 'desktop.json'))
// Windows shows notifications (the tray notice) only for an app with the id its Start menu shortcut carries.
if (process.platform === 'win32') app.setAppUserModelId('io.aipowergrid.gridforge')

let host: Host | null = null
let window: BrowserWindow | null = null
let tray: DesktopTray | null = null
let stopTrayRedraws: () => void = () => undefined
let updatePolicy: UpdatePolicy | null = null
let closing: Promise<void> | null = null
let quitting = false
/** Whether this desktop draws tray icons (Linux: asked of D-Bus at start and when the window gains focus). */
let trayHost: TrayHost = process.platform === 'linux' ? 'unknown' : 'present'
const trayVisible = () => tray !== null && trayUsable(process.platform, trayHost)

/** How a new window appears: shown, hidden in the tray (started at login), or minimised where no tray is seen. */
type WindowStart = 'show' | 'hidden' | 'minimized'

function showWindow(): void {
  if (!window) window = createWindow('show')
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
}

function quit(): void {
  quitting = true
  app.quit()
}

function createWindow(start: WindowStart): BrowserWindow {
  const stateFile = join(dataDir, 'window-state.json')
  const restored = initialWindowBounds(
    stateFile,
    screen.getAllDisplays().map((display) => display.workArea),
  )
  const iconPath = join(paths.resourcesDir, 'icons', '512x512.png')
  const win = new BrowserWindow(mainWindowOptions(preloadPath, restored.bounds, iconPath))
  keepWindowState(win, stateFile)
  win.once('ready-to-show', () => {
    if (start === 'hidden') return
    if (restored.maximized) win.maximize()
    if (start === 'minimized') {
      win.showInactive()
      win.minimize()
    } else win.show()
  })
  // Windows ends the session through the window's messages; the first of the two starts the shutdown.
  win.on('query-session-end', (event) => void endSession(`Windows ${event.reasons.join(', ') || 'session end'}`))
  win.on('session-end', (event) => void endSession(`Windows ${event.reasons.join(', ') || 'session end'}`))
  win.on('focus', refreshTrayHost)
  // A crashed renderer is reloaded rather than leaving a white window; the host and its state live on.
  const crashes = crashReloadPolicy()
  win.webContents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit' || win.isDestroyed()) return
    if (!crashes.shouldReload()) {
      log.error(`renderer gone (${details.reason}) again; not reloading`)
      dialog.showErrorBox('GridForge window keeps crashing', `Restart GridForge. The log is in ${data.logs}.`)
      return
    }
    log.error(`renderer gone (${details.reason}); reloading`)
    win.webContents.once('did-finish-load', () => {
      void dialog.showMessageBox(win, {
        type: 'warning',
        message: 'The GridForge window crashed and was reloaded.',
        detail: 'Your chats, models and mining were not affected.',
      })
    })
    win.webContents.reload()
  })
  win.webContents.setWindowOpenHandler(({ url }) => {
    const external = externalUrlToOpen(url)
    if (external) void shell.openExternal(external)
    return { action: 'deny' }
  })
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault()
  })
  win.on('close', (event) => {
    const decision = windowCloseDecision({
      quitting,
      mining: !!host && isMining(host.earn.snapshot()),
      trayVisible: trayVisible(),
      hintShown: prefs.read().trayHintShown,
    })
    if (decision.action === 'close') return
    event.preventDefault()
    if (decision.action === 'hide') win.hide()
    else win.minimize()
    if (decision.tellUser) {
      prefs.update({ trayHintShown: true })
      tellKeptRunning(decision.action)
    }
  })
  win.on('closed', () => {
    if (window === win) window = null
  })
  void win.loadURL(appUrl)
  return win
}

function tellKeptRunning(action: 'hide' | 'minimize'): void {
  const message =
    action === 'hide'
      ? 'GridForge keeps earning in the tray. Use its icon to open the window or quit.'
      : 'GridForge keeps earning with its window minimised, because this desktop shows no tray icons. Quit from the File menu to stop.'
  tell('GridForge is still running', message)
}

/** A notification, or a dialog where the desktop has no notifications. */
function tell(title: string, message: string): void {
  if (Notification.isSupported()) new Notification({ title, body: message }).show()
  else void dialog.showMessageBox({ type: 'info', title, message })
}

/** Runs a short D-Bus query; null when the command is missing, fails or takes over two seconds. */
const runCommand: CommandRunner = (command, args) =>
  new Promise((done) => execFile(command, args, { timeout: 2_000 }, (error, stdout) => done(error ? null : stdout)))

let trayHostAskedAt = 0
/** Asks again whether a tray host runs (GNOME extensions come and go), at most once a minute. */
function refreshTrayHost(): void {
  if (process.platform !== 'linux' || Date.now() - trayHostAskedAt < 60_000) return
  trayHostAskedAt = Date.now()
  void linuxTrayHost(process.env, runCommand).then((found) => {
    trayHost = found
    desktopNotes?.setNotice('no-tray-host', tray !== null && !trayUsable(process.platform, found) ? NO_TRAY_HOST_NOTE : null)
  })
}

let desktopNotes: { setNotice: ShellDesktopIntegration['setNotice'] } | null = null

/** Closes the host once (the miner, the engine, the store), whoever asks first: Quit, the updater or the OS. */
function closeHost(): Promise<void> {
  if (closing) return closing
  const current = host
  host = null
  updatePolicy?.stop()
  // Closing the host stops the miner, which emits "stopping": nothing may redraw the destroyed tray.
  stopTrayRedraws()
  tray?.destroy()
  tray = null
  closing = current ? current.close() : Promise.resolve()
  return closing
}

const endSession = sessionEndHandler({
  close: () => {
    quitting = true
    return closeHost()
  },
  quit: () => app.quit(),
  log: (line) => log.info(line),
})

/** Serves the built renderer on app://, with the same security headers the headless host sends. */
async function serveAppFile(request: Request): Promise<Response> {
  const found = await appFileFor(request.url, paths.rendererDir)
  if (!('file' in found)) {
    log.warn(`app:// request refused: ${found.reason}`)
    return new Response(null, { status: found.status, headers: SECURITY_HEADERS })
  }
  const file = await net.fetch(pathToFileURL(found.file).href)
  const headers = new Headers(file.headers)
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value)
  return new Response(file.body, { status: file.status, headers })
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

/** Tray and login starts run without the window: a failure is told in a notification (or a dialog), not only logged. */
async function startEarningInBackground(current: Host, where: string): Promise<void> {
  const outcome = await current.startEarningInBackground()
  if (outcome.ok) return
  log.warn(`start earning ${where} failed: ${outcome.message}`)
  const title = 'GridForge could not start earning'
  if (Notification.isSupported()) {
    const notice = new Notification({ title, body: outcome.message })
    notice.on('click', showWindow)
    notice.show()
  } else {
    void dialog.showMessageBox({ type: 'warning', title, message: title, detail: outcome.message })
  }
}

function busyReason(current: Host): string | null {
  if (current.earn.snapshot().running.length > 0) return 'a grid job is running'
  if (!current.localUse.isOpen()) return 'a chat reply or a local API request is in progress'
  return null
}

async function start(): Promise<void> {
  await app.whenReady()
  protocol.handle(APP_SCHEME, serveAppFile)
  // Before the first window: Chromium's spellchecker would otherwise fetch dictionaries from Google.
  session.defaultSession.setSpellCheckerEnabled(prefs.read().spellcheck)
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(permissionGranted({ permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame }, appUrl)),
  )
  session.defaultSession.setPermissionCheckHandler((_contents, permission, _origin, details) =>
    permissionGranted({ permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame }, appUrl),
  )
  const launch = launchMode(process.argv, process.platform, app.getLoginItemSettings().wasOpenedAtLogin ?? false, prefs.read().loginItem)
  info(
    `GridForge ${app.getVersion()} starting (Electron ${process.versions.electron}, ${process.platform}-${process.arch}); data in ${dataDir}`,
  )

  const updates = createElectronUpdatePolicy(
    {
      disabledReason: updatesDisabledReason({ isPackaged: app.isPackaged, env: process.env }),
      busyReason: () => (host ? busyReason(host) : null),
      ask: async (version) => {
        const answer = await dialog.showMessageBox({
          type: 'question',
          buttons: ['Restart Now', 'Later'],
          defaultId: 0,
          cancelId: 1,
          title: 'Update ready',
          message: `GridForge ${version ?? ''} is ready to install.`,
          detail: 'Nothing is running now. Restart to finish the update?',
        })
        return answer.response === 0
      },
      log: info,
      installFailed: (sentence) => {
        // The install did not quit the app: closing the window goes back to keeping it in the tray.
        quitting = false
        tell('GridForge was not updated', sentence)
      },
    },
    log,
    () => {
      quitting = true
    },
    (path) => desktop.followAppImage(path),
  )
  updatePolicy = updates
  const desktop = createDesktopIntegration({
    logsDir: data.logs,
    prefs,
    applyLoginItem: (settings, appImage) =>
      applyLoginItem(settings, {
        platform: process.platform,
        app,
        execPath: process.execPath,
        leadingArgs: app.isPackaged ? [] : [app.getAppPath()],
        autostartDir: xdgAutostartDir(),
        env: process.env,
        appImage,
      }),
    updates,
    applySpellcheck: (enabled) => session.defaultSession.setSpellCheckerEnabled(enabled),
    openFolder: (folder) => shell.openPath(folder),
    log: info,
  })
  desktopNotes = desktop
  // An AppImage renamed outside the updater (or by an update while the app was not running) is followed too.
  if (process.env.APPIMAGE) desktop.followAppImage(process.env.APPIMAGE)
  desktop.setNotice(
    'appimage-sandbox',
    appImageSandboxNote({
      platform: process.platform,
      env: process.env,
      usernsRestriction: readIfExists(USERNS_RESTRICTION_FILE),
      noSandbox: app.commandLine.hasSwitch('no-sandbox'),
    }),
  )
  if (isWaylandSession(process.platform, process.env)) {
    const idle = new IdleWatch(true)
    const sampler = setInterval(() => {
      if (!idle.sample(powerMonitor.getSystemIdleTime(), Date.now())) return
      desktop.setNotice('idle-unavailable', idle.reporting() === 'unavailable' ? IDLE_UNAVAILABLE_NOTE : null)
    }, IDLE_SAMPLE_MS)
    sampler.unref()
  }
  // The documented event object is missing from the d.ts; preventDefault asks the OS to wait for the close.
  powerMonitor.on('shutdown', ((event: Electron.Event) => {
    event.preventDefault()
    void endSession('the system is shutting down')
  }) as () => void)

  const sqliteNativeBinding = electronSqliteBinding({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    repoRoot: paths.repoRoot,
    platform: process.platform,
    arch: process.arch,
  })
  const ask = (question: RecoveryQuestion) =>
    dialog.showMessageBox({ type: 'warning', title: 'GridForge', ...question }).then((answer) => answer.response)
  if (!(await ensureUsableDatabase(data.database, ask, { nativeBinding: sqliteNativeBinding }))) return app.exit(0)
  host = createHost({
    dataDir,
    secrets: redactingSecretStore(new EncryptedSecretStore(safeStorage, new FileSecretStore(data.secrets), info), redactor),
    shell: 'desktop',
    version: app.getVersion(),
    launchEngine: utilityLauncher(paths.engineEntry, info),
    launchEngineWith: (env) => utilityLauncher(paths.engineEntry, info, env),
    extraCa: readFileSync(join(paths.resourcesDir, 'cloudflare_origin_rsa_root.pem'), 'utf8'),
    idleSource: powerIdleSource,
    hfEndpoint: process.env.HF_ENDPOINT,
    log: info,
    desktop,
    sqliteNativeBinding,
    notifier: desktopNotifier({ isSupported: () => Notification.isSupported(), create: (options) => new Notification(options) }, info),
  })
  const current = host
  bindIpc(ipcMain, current, appUrl, () => window?.webContents ?? null)

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenuTemplate({
        isPackaged: app.isPackaged,
        platform: process.platform,
        appName: app.getName(),
        actions: {
          openLogsFolder: () => void desktop.openLogsFolder(),
          openWebsite: () => void shell.openExternal(WEBSITE_URL),
          checkForUpdates: () => {
            const { update } = desktop.checkForUpdates()
            if (update.state === 'disabled') {
              void dialog.showMessageBox({
                type: 'info',
                message: 'Updates are off',
                detail: `GridForge does not update itself here: ${update.detail ?? ''}.`,
              })
            } else {
              showWindow()
            }
          },
          quit,
        },
      }),
    ),
  )

  try {
    tray = new DesktopTray(join(paths.resourcesDir, 'tray'), {
      open: showWindow,
      startEarning: () => void startEarningInBackground(current, 'from the tray'),
      stopEarning: () => void current.earn.stop(),
      restartToUpdate: () => void desktop.restartToUpdate(),
      quit,
    })
    const redraw = () => tray?.update(current.earn.snapshot(), updates.snapshot())
    const unsubscribeEarn = current.earn.on('earn.snapshot', redraw)
    const unsubscribeUpdates = updates.subscribe(redraw)
    stopTrayRedraws = () => {
      unsubscribeEarn()
      unsubscribeUpdates()
    }
    redraw()
  } catch (error) {
    // Some Linux desktops have no tray; the app works without one and minimises instead of hiding.
    log.warn('no tray on this desktop:', error)
    tray = null
  }
  if (process.platform === 'linux') {
    trayHost = await linuxTrayHost(process.env, runCommand)
    trayHostAskedAt = Date.now()
    desktop.setNotice('no-tray-host', tray !== null && !trayUsable(process.platform, trayHost) ? NO_TRAY_HOST_NOTE : null)
  }
  if (process.env.GRIDFORGE_E2E === '1') {
    ;(globalThis as { gridforgeE2e?: unknown }).gridforgeE2e = { tray: () => tray?.describe() ?? null }
  }

  window = createWindow(!launch.hidden ? 'show' : trayVisible() ? 'hidden' : 'minimized')
  updates.start()
  if (launch.startEarning) {
    info('started at login with earning on')
    void startEarningInBackground(current, 'at login')
  }
}

// One GridForge at a time: a second launch focuses the first window (two would fight over the database).
if (!app.requestSingleInstanceLock()) {
  app.exit(0)
}
app.on('second-instance', () => {
  if (app.isReady()) showWindow()
})

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault())
})
app.on('window-all-closed', () => app.quit())
app.on('activate', () => {
  if (app.isReady() && host) showWindow()
})
app.on('before-quit', (event) => {
  quitting = true
  if (!host) return
  event.preventDefault()
  void closeHost().finally(() => app.quit())
})

start().catch((error: unknown) => {
  log.error('GridForge failed to start:', error)
  dialog.showErrorBox(
    'GridForge could not start',
    `${redactor.redact(error instanceof Error ? error.message : String(error))}\n\nThe log is in ${data.logs}.`,
  )
  app.exit(1)
})
