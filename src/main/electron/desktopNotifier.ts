import type { Notification as ElectronNotification } from 'electron'
import type { DesktopNotifier } from '../alerts/alertService.js'

/** The parts of Electron's `Notification` the alerts use (injected, so the adapter is testable without Electron). */
export interface NotificationApi {
  isSupported(): boolean
  create(options: { title: string; body: string }): Pick<ElectronNotification, 'show'>
}

/** Alerts as the desktop's own notifications; where the desktop has none, one log line instead. */
export function desktopNotifier(api: NotificationApi, log: (line: string) => void): DesktopNotifier {
  return {
    notify(alert) {
      if (!api.isSupported()) {
        log(`alert: ${alert.title}: ${alert.body}`)
        return
      }
      api.create({ title: alert.title, body: alert.body }).show()
    },
  }
}
