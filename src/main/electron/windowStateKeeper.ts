import { readJsonFile, writeJsonFile } from './jsonFile.js'
import { captureWindowState, restoreBounds, windowStateSchema, type Rect, type WindowState } from './windowState.js'

/** The part of a BrowserWindow whose size and position are remembered. */
export interface StatefulWindow {
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown
  getNormalBounds(): Rect
  isMaximized(): boolean
  isMinimized(): boolean
  isDestroyed(): boolean
}

/** The remembered state, or null when there is none (or it does not parse). */
export function loadWindowState(file: string): WindowState | null {
  return readJsonFile<WindowState | null>(file, windowStateSchema, null)
}

/** Bounds for the next window from the remembered state and the displays there are now. */
export function initialWindowBounds(file: string, workAreas: readonly Rect[]) {
  return restoreBounds(loadWindowState(file), workAreas)
}

/**
 * Saves the window's size, position and maximized flag while it moves (debounced, so dragging does not
 * write on every pixel) and once more when it closes. A minimized window keeps its last real bounds.
 */
export function keepWindowState(window: StatefulWindow, file: string, delayMs = 500): void {
  let timer: NodeJS.Timeout | null = null
  const save = () => {
    if (timer) clearTimeout(timer)
    timer = null
    if (window.isDestroyed() || window.isMinimized()) return
    try {
      writeJsonFile(file, captureWindowState(window.getNormalBounds(), window.isMaximized()))
    } catch {
      // A read-only or full data folder only costs the remembered position; nothing to tell the user.
    }
  }
  const later = () => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(save, delayMs)
    timer.unref?.()
  }
  for (const event of ['resize', 'move'] as const) window.on(event, later)
  for (const event of ['maximize', 'unmaximize', 'close'] as const) window.on(event, save)
}
