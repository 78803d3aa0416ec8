import { join } from 'node:path'
import { Menu, nativeImage, Tray } from 'electron'
import type { EarnSnapshot, UpdateSnapshot } from '../../shared/domain.js'
import { trayMenuTemplate, type TrayActions, type TrayStatus } from './trayStatus.js'
import { trayChanges, trayView, type TrayView } from './trayView.js'

/**
 * The tray icon: its picture follows the miner (idle, mining, paused, error), its menu starts and stops
 * earning, opens the window, restarts to update and quits. Pictures come from `resources/tray`, where
 * Electron picks the @2x file on high-density screens.
 */
export class DesktopTray {
  private readonly tray: Tray
  private view: TrayView | null = null

  constructor(
    private readonly trayDir: string,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(this.image('idle'))
    this.tray.on('click', () => actions.open())
  }

  /** Redraws what changed of the picture, tooltip and menu for the current miner and updater state. */
  update(earn: EarnSnapshot, update: UpdateSnapshot): void {
    if (this.tray.isDestroyed()) return
    const view = trayView(earn, update)
    const changes = trayChanges(this.view, view)
    this.view = view
    if (changes.image) this.tray.setImage(this.image(view.status))
    if (changes.tooltip) this.tray.setToolTip(view.tooltip)
    if (changes.menu) this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(earn, update, this.actions)))
  }

  /** What the tray shows now (the e2e test reads it through the main process). */
  describe(): { status: TrayStatus | null; tooltip: string } {
    return { status: this.view?.status ?? null, tooltip: this.view?.tooltip ?? '' }
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy()
  }

  private image(status: TrayStatus) {
    return nativeImage.createFromPath(join(this.trayDir, `tray-${status}.png`))
  }
}
