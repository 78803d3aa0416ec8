import { powerMonitor } from 'electron'
import type { IdleSource } from '../earn/miningPolicy.js'

/** The user's idle time and the power supply, from the OS through Electron (read only after app ready). */
export const powerIdleSource: IdleSource = {
  idleSeconds: () => powerMonitor.getSystemIdleTime(),
  onBattery: () => powerMonitor.isOnBatteryPower(),
}
