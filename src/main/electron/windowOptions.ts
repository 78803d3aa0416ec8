import type { BrowserWindowConstructorOptions } from 'electron'
import { DEFAULT_WINDOW, MIN_WINDOW, type Rect } from './windowState.js'

/**
 * The one place `webPreferences` are set. Every window gets the security baseline: a sandboxed renderer
 * with context isolation and no Node, reached only through the preload's `window.gridforge`.
 */
export function mainWindowOptions(
  preloadPath: string,
  bounds: Partial<Rect> = DEFAULT_WINDOW,
  icon?: string,
): BrowserWindowConstructorOptions {
  return {
    width: DEFAULT_WINDOW.width,
    height: DEFAULT_WINDOW.height,
    ...bounds,
    minWidth: MIN_WINDOW.width,
    minHeight: MIN_WINDOW.height,
    title: 'GridForge',
    ...(icon ? { icon } : {}),
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
      // The session's spellchecker switch decides (off until the user turns it on, so no dictionary is
      // downloaded); a window made with false here could not be switched on later (electron#32755).
      spellcheck: true,
    },
  }
}
