import type { BrowserWindowConstructorOptions } from 'electron'

/**
 * The one place `webPreferences` are set. Every window gets the security baseline: a sandboxed renderer
 * with context isolation and no Node, reached only through the preload's `window.gridforge`.
 */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'GridForge',
    // Shown on `ready-to-show`, so the user never sees a blank white frame.
    show: false,
    autoHideMenuBar: false,
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true,
    },
  }
}
