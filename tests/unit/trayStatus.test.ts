import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import type { EarnState, UpdateSnapshot } from '../../src/shared/domain.js'
import { trayMenuTemplate, trayStatusOf, trayTooltip, windowCloseDecision, type TrayActions } from '../../src/main/electron/trayStatus.js'

const noUpdate: Pick<UpdateSnapshot, 'state' | 'version'> = { state: 'up-to-date', version: null }

function labels(state: EarnState, update = noUpdate) {
  const clicked: string[] = []
  const actions: TrayActions = {
    open: () => clicked.push('open'),
    startEarning: () => clicked.push('start'),
    stopEarning: () => clicked.push('stop'),
    restartToUpdate: () => clicked.push('restart'),
    quit: () => clicked.push('quit'),
  }
  const items = trayMenuTemplate({ state }, update, actions).filter((i) => i.label) as MenuItemConstructorOptions[]
  return { labels: items.map((i) => i.label), items, clicked }
}

describe('the tray', () => {
  it('shows idle, mining, paused or error from the miner state', () => {
    const cases: Array<[EarnState, string]> = [
      ['off', 'idle'],
      ['connecting', 'mining'],
      ['waiting', 'mining'],
      ['working', 'mining'],
      ['paused', 'paused'],
      ['backoff', 'paused'],
      ['error', 'error'],
    ]
    for (const [state, status] of cases) expect(trayStatusOf({ state }), state).toBe(status)
  })

  it('says in the tooltip what the miner does and why it is paused', () => {
    expect(trayTooltip({ state: 'working', detail: null, running: [{} as never, {} as never] })).toBe('GridForge: earning (2 jobs running)')
    expect(trayTooltip({ state: 'paused', detail: 'Paused while you chat.', running: [] })).toBe(
      'GridForge: earning paused\nPaused while you chat.',
    )
  })

  it('offers Start when not earning and Stop while earning, plus Open and Quit', () => {
    const off = labels('off')
    expect(off.labels).toEqual(['Open GridForge', 'Start Earning', 'Quit GridForge'])
    for (const item of off.items) (item.click as () => void)()
    expect(off.clicked).toEqual(['open', 'start', 'quit'])
    const on = labels('working')
    expect(on.labels).toEqual(['Open GridForge', 'Stop Earning', 'Quit GridForge'])
    expect(labels('stopping').items.find((i) => i.label === 'Stopping…')?.enabled).toBe(false)
  })

  it('offers Restart to Update once an update is downloaded', () => {
    const ready = labels('off', { state: 'ready', version: '0.2.0' })
    expect(ready.labels).toContain('Restart to Update (0.2.0)')
    expect(labels('off', { state: 'downloading', version: '0.2.0' }).labels).not.toContain('Restart to Update (0.2.0)')
  })

  it('keeps the app in the tray when the window closes while mining, and says so only the first time', () => {
    expect(windowCloseDecision({ quitting: false, mining: true, trayVisible: true, hintShown: false })).toEqual({
      action: 'hide',
      tellUser: true,
    })
    expect(windowCloseDecision({ quitting: false, mining: true, trayVisible: true, hintShown: true })).toEqual({
      action: 'hide',
      tellUser: false,
    })
    expect(windowCloseDecision({ quitting: false, mining: false, trayVisible: true, hintShown: false }).action).toBe('close')
    expect(windowCloseDecision({ quitting: true, mining: true, trayVisible: true, hintShown: false }).action).toBe('close')
  })

  it('never hides the window into a tray nobody can see: without one it minimises while mining', () => {
    expect(windowCloseDecision({ quitting: false, mining: true, trayVisible: false, hintShown: false })).toEqual({
      action: 'minimize',
      tellUser: true,
    })
    expect(windowCloseDecision({ quitting: false, mining: false, trayVisible: false, hintShown: false }).action).toBe('close')
  })
})
