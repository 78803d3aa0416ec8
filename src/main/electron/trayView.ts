import type { EarnSnapshot, UpdateSnapshot } from '../../shared/domain.js'
import { trayMenuTemplate, trayStatusOf, trayTooltip, type TrayActions, type TrayStatus } from './trayStatus.js'

/** Everything the tray draws, reduced to what a user can see: two equal views draw the same tray. */
export interface TrayView {
  status: TrayStatus
  tooltip: string
  /** The menu's visible items (labels, separators, enabled), as one comparable string. */
  menu: string
}

const NO_ACTIONS: TrayActions = {
  open: () => undefined,
  startEarning: () => undefined,
  stopEarning: () => undefined,
  restartToUpdate: () => undefined,
  quit: () => undefined,
}

/** The tray's view of the miner and updater; token counts of running jobs are not in it. */
export function trayView(
  earn: Pick<EarnSnapshot, 'state' | 'detail' | 'running'>,
  update: Pick<UpdateSnapshot, 'state' | 'version'>,
): TrayView {
  const menu = trayMenuTemplate(earn, update, NO_ACTIONS)
    .map((item) => `${item.type ?? 'normal'}:${item.label ?? ''}:${item.enabled ?? true}`)
    .join('|')
  return { status: trayStatusOf(earn), tooltip: trayTooltip(earn), menu }
}

/**
 * What has to be redrawn to go from `before` to `after`. Progress of running jobs reaches the host
 * about four times a second; rebuilding the menu that often closes it under the user's pointer on
 * some desktops and costs CPU on all, so only real changes are drawn.
 */
export function trayChanges(before: TrayView | null, after: TrayView): { image: boolean; tooltip: boolean; menu: boolean } {
  return {
    image: before?.status !== after.status,
    tooltip: before?.tooltip !== after.tooltip,
    menu: before?.menu !== after.menu,
  }
}
