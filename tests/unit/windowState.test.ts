import { EventEmitter } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { restoreBounds, type Rect } from '../../src/main/electron/windowState.js'
import { initialWindowBounds, keepWindowState, loadWindowState } from '../../src/main/electron/windowStateKeeper.js'
import { mainWindowOptions } from '../../src/main/electron/windowOptions.js'

const laptop: Rect = { x: 0, y: 0, width: 1920, height: 1040 }
const rightMonitor: Rect = { x: 1920, y: 0, width: 2560, height: 1400 }

const dirs: string[] = []
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gf-window-'))
  dirs.push(dir)
  return join(dir, 'window-state.json')
}
afterEach(() => {
  vi.useRealTimers()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('remembered window bounds', () => {
  it('opens at the default size, centred by the OS, the first time', () => {
    expect(restoreBounds(null, [laptop])).toEqual({ bounds: { width: 1200, height: 800 }, maximized: false })
  })

  it('reopens where the window was, on a second monitor too, maximized or not', () => {
    const saved = { x: 2100, y: 100, width: 1400, height: 900, maximized: true }
    expect(restoreBounds(saved, [laptop, rightMonitor])).toEqual({
      bounds: { x: 2100, y: 100, width: 1400, height: 900 },
      maximized: true,
    })
  })

  it('brings a window from an unplugged monitor back onto the primary display, centred', () => {
    const saved = { x: 2100, y: 100, width: 1400, height: 900, maximized: false }
    expect(restoreBounds(saved, [laptop]).bounds).toEqual({ x: 260, y: 70, width: 1400, height: 900 })
  })

  it('shrinks a window larger than the display and keeps it at least the minimum size', () => {
    const huge = { x: 0, y: 0, width: 5000, height: 3000, maximized: false }
    expect(restoreBounds(huge, [laptop]).bounds).toEqual({ x: 0, y: 0, width: 1920, height: 1040 })
    const tiny = { x: 10, y: 10, width: 50, height: 40, maximized: false }
    expect(restoreBounds(tiny, [laptop]).bounds).toMatchObject({ width: 720, height: 480 })
  })

  it('pulls a window hanging off the bottom-right edge back inside the display', () => {
    const saved = { x: 1800, y: 1000, width: 800, height: 600, maximized: false }
    expect(restoreBounds(saved, [laptop]).bounds).toEqual({ x: 1120, y: 440, width: 800, height: 600 })
  })

  it('passes the bounds to the window factory', () => {
    const options = mainWindowOptions('/p.cjs', { x: 5, y: 6, width: 900, height: 700 })
    expect(options).toMatchObject({ x: 5, y: 6, width: 900, height: 700, minWidth: 720, minHeight: 480 })
  })
})

describe('the window state file', () => {
  it('ignores a corrupt or hand-edited file instead of failing to open the window', () => {
    const file = tempFile()
    writeFileSync(file, '{"x": 1, "y": "a lot"')
    expect(loadWindowState(file)).toBeNull()
    writeFileSync(file, JSON.stringify({ x: 1, y: 2, width: -5, height: 100, maximized: false }))
    expect(loadWindowState(file)).toBeNull()
    expect(initialWindowBounds(file, [laptop]).bounds).toEqual({ width: 1200, height: 800 })
  })

  it('saves the normal bounds after moving stops and when the window closes, then restores them', () => {
    vi.useFakeTimers()
    const file = tempFile()
    let bounds: Rect = { x: 100, y: 100, width: 1000, height: 700 }
    let maximized = false
    const window = Object.assign(new EventEmitter(), {
      getNormalBounds: () => bounds,
      isMaximized: () => maximized,
      isMinimized: () => false,
      isDestroyed: () => false,
    })
    keepWindowState(window, file, 500)
    bounds = { x: 300, y: 200, width: 1000, height: 700 }
    window.emit('move')
    expect(loadWindowState(file)).toBeNull()
    vi.advanceTimersByTime(500)
    expect(loadWindowState(file)).toEqual({ ...bounds, maximized: false })
    maximized = true
    window.emit('close')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ...bounds, maximized: true })
    expect(initialWindowBounds(file, [laptop])).toEqual({ bounds, maximized: true })
  })
})
