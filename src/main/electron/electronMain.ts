import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { app, BrowserWindow, ipcMain, safeStorage, session, shell } from 'electron'
import { runtimePaths } from '../cli/runtimePaths.js'
import { FileSecretStore } from '../earn/secretStore.js'
import { dataPaths } from '../host/dataDir.js'
import { createHost, type Host } from '../host/createHost.js'
import { EncryptedSecretStore } from './safeStorageSecrets.js'
import { bindIpc } from './ipcBinding.js'
import { externalUrlToOpen, isAppUrl } from './navigationGuards.js'
import { powerIdleSource } from './powerIdleSource.js'
import { utilityLauncher } from './utilityLauncher.js'
import { mainWindowOptions } from './windowOptions.js'

const paths = runtimePaths(import.meta.url)
const preloadPath = join(paths.rendererDir, '..', 'preload', 'index.cjs')
const appUrl = pathToFileURL(join(paths.rendererDir, 'index.html')).href

let host: Host | null = null
let window: BrowserWindow | null = null

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preloadPath))
  win.once('ready-to-show', () => win.show())
  // A crashed renderer is reloaded rather than leaving a white window; the host and its state live on.
  win.webContents.on('render-process-gone', (_event, details) => {
    console.error(`renderer gone (${details.reason}); reloading`)
    if (details.reason !== 'clean-exit' && !win.isDestroyed()) win.webContents.reload()
  })
  win.webContents.setWindowOpenHandler(({ url }) => {
    const external = externalUrlToOpen(url)
    if (external) void shell.openExternal(external)
    return { action: 'deny' }
  })
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault()
  })
  void win.loadURL(appUrl)
  return win
}

async function start(): Promise<void> {
  await app.whenReady()
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  const dataDir = app.getPath('userData')
  host = createHost({
    dataDir,
    secrets: new EncryptedSecretStore(safeStorage, new FileSecretStore(dataPaths(dataDir).secrets)),
    shell: 'desktop',
    version: app.getVersion(),
    launchEngine: utilityLauncher(paths.engineEntry),
    extraCa: readFileSync(join(paths.resourcesDir, 'cloudflare_origin_rsa_root.pem'), 'utf8'),
    idleSource: powerIdleSource,
    log: (line) => console.error(line),
  })
  bindIpc(ipcMain, host, appUrl, () => window?.webContents ?? null)
  window = createWindow()
  window.on('closed', () => {
    window = null
  })
}

// One GridForge at a time: a second launch focuses the first window (two would fight over the database).
if (!app.requestSingleInstanceLock()) {
  app.exit(0)
}
app.on('second-instance', () => {
  if (!window) return
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
})

process.on('uncaughtException', (error) => console.error('GridForge main process error:', error))
process.on('unhandledRejection', (reason) => console.error('GridForge main process rejection:', reason))

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault())
})
app.on('window-all-closed', () => app.quit())
app.on('before-quit', (event) => {
  if (!host) return
  event.preventDefault()
  const closing = host
  host = null
  void closing.close().finally(() => app.quit())
})

start().catch((error: unknown) => {
  console.error('GridForge failed to start:', error)
  app.exit(1)
})
