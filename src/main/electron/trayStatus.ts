import type { MenuItemConstructorOptions } from 'electron'
import type { EarnSnapshot, EarnStatus, UpdateSnapshot } from '../../shared/domain.js'
import { isMinerOn, minerStatusOf } from '../../shared/minerStatus.js'

/** The four tray pictures: the miner's status, as the Earn view shows it. */
export type TrayStatus = EarnStatus

/** The tray picture for a miner snapshot (decided where the Earn view's status is). */
export function trayStatusOf(snapshot: Pick<EarnSnapshot, 'state'>): TrayStatus {
  return minerStatusOf(snapshot.state)
}

/** True while the miner is on (whether it has a job or waits for one): closing the window then keeps the app. */
export function isMining(snapshot: Pick<EarnSnapshot, 'state'>): boolean {
  return isMinerOn(snapshot.state)
}

const WORDS: Record<TrayStatus, string> = {
  idle: 'not earning',
  mining: 'earning',
  paused: 'earning paused',
  error: 'earning stopped by an error',
}

/** The tray tooltip: the state in words, and the detail (why paused, what failed) when there is one. */
export function trayTooltip(snapshot: Pick<EarnSnapshot, 'state' | 'detail' | 'running'>): string {
  const jobs = snapshot.running.length
  const running = jobs > 0 ? ` (${jobs} job${jobs === 1 ? '' : 's'} running)` : ''
  const detail = snapshot.detail ? `\n${snapshot.detail}` : ''
  return `GridForge: ${WORDS[trayStatusOf(snapshot)]}${running}${detail}`.slice(0, 127)
}

/** What the tray menu items do. */
export interface TrayActions {
  open(): void
  startEarning(): void
  stopEarning(): void
  restartToUpdate(): void
  quit(): void
}

/** The tray menu for the current miner and updater state. */
export function trayMenuTemplate(
  earn: Pick<EarnSnapshot, 'state'>,
  update: Pick<UpdateSnapshot, 'state' | 'version'>,
  actions: TrayActions,
): MenuItemConstructorOptions[] {
  const mining = isMining(earn)
  const updateReady = update.state === 'ready' || update.state === 'waiting-for-idle'
  return [
    { label: 'Open GridForge', click: () => actions.open() },
    { type: 'separator' },
    mining
      ? {
          label: earn.state === 'stopping' ? 'Stopping…' : 'Stop Earning',
          enabled: earn.state !== 'stopping',
          click: () => actions.stopEarning(),
        }
      : { label: 'Start Earning', click: () => actions.startEarning() },
    ...(updateReady
      ? [
          { type: 'separator' } as const,
          { label: `Restart to Update${update.version ? ` (${update.version})` : ''}`, click: () => actions.restartToUpdate() },
        ]
      : []),
    { type: 'separator' },
    { label: 'Quit GridForge', click: () => actions.quit() },
  ]
}

/** What closing the window does: quit, hide it in the tray, or minimise it where no tray can be seen. */
export type WindowCloseAction = 'close' | 'hide' | 'minimize'

/**
 * What closing the window does: while mining the app keeps running, hidden in the tray when the
 * desktop shows one, and minimised when it does not (a GNOME without the AppIndicator extension draws
 * no tray icons: a hidden window could not be brought back). Otherwise the window closes and the app
 * quits. The user is told the first time only.
 */
export function windowCloseDecision(input: { quitting: boolean; mining: boolean; trayVisible: boolean; hintShown: boolean }): {
  action: WindowCloseAction
  tellUser: boolean
} {
  if (input.quitting || !input.mining) return { action: 'close', tellUser: false }
  return { action: input.trayVisible ? 'hide' : 'minimize', tellUser: !input.hintShown }
}
