import { z } from 'zod'

/** A rectangle in screen coordinates (Electron's `Rectangle`). */
export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

const finite = z.number().int().min(-100_000).max(100_000)

/** The window's remembered size, position and maximized flag, as stored in `window-state.json`. */
export const windowStateSchema = z.strictObject({
  x: finite,
  y: finite,
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean(),
})

/** See `windowStateSchema`. */
export type WindowState = z.infer<typeof windowStateSchema>

/** The smallest window the layout works in (also the BrowserWindow's minimum). */
export const MIN_WINDOW = { width: 720, height: 480 } as const
/** The first window's size. */
export const DEFAULT_WINDOW = { width: 1200, height: 800 } as const
/** How much of the title bar must lie on a display for the window to count as reachable. */
const MIN_VISIBLE = 64

/**
 * Where to open the window: the remembered bounds when enough of them is on a display that exists
 * now (monitors get unplugged), otherwise the remembered size centred on the primary display, shrunk to
 * fit it. Returns bounds without x/y (let the OS centre) when nothing was remembered.
 */
export function restoreBounds(
  saved: WindowState | null,
  workAreas: readonly Rect[],
): { bounds: Partial<Rect> & { width: number; height: number }; maximized: boolean } {
  if (!saved) return { bounds: { ...DEFAULT_WINDOW }, maximized: false }
  const primary = workAreas[0]
  const host = workAreas.find((area) => titleBarVisible(saved, area))
  const target = host ?? primary
  if (!target) return { bounds: { width: saved.width, height: saved.height }, maximized: saved.maximized }
  const width = clamp(saved.width, MIN_WINDOW.width, Math.max(MIN_WINDOW.width, target.width))
  const height = clamp(saved.height, MIN_WINDOW.height, Math.max(MIN_WINDOW.height, target.height))
  if (host) {
    const x = clamp(saved.x, target.x, target.x + target.width - width)
    const y = clamp(saved.y, target.y, target.y + target.height - height)
    return { bounds: { x, y, width, height }, maximized: saved.maximized }
  }
  const x = target.x + Math.round((target.width - width) / 2)
  const y = target.y + Math.round((target.height - height) / 2)
  return { bounds: { x, y, width, height }, maximized: saved.maximized }
}

/** The state to store: the normal (un-maximized) bounds plus whether the window is maximized. */
export function captureWindowState(normalBounds: Rect, maximized: boolean): WindowState {
  return {
    x: Math.round(normalBounds.x),
    y: Math.round(normalBounds.y),
    width: Math.round(normalBounds.width),
    height: Math.round(normalBounds.height),
    maximized,
  }
}

function titleBarVisible(window: Rect, area: Rect): boolean {
  const left = Math.max(window.x, area.x)
  const right = Math.min(window.x + window.width, area.x + area.width)
  const topInside = window.y >= area.y && window.y < area.y + area.height - MIN_VISIBLE / 2
  return topInside && right - left >= MIN_VISIBLE
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), Math.max(min, max))
}
