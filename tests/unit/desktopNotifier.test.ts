import { describe, expect, it } from 'vitest'
import { desktopNotifier } from '../../src/main/electron/desktopNotifier.js'
import type { Alert } from '../../src/shared/alerts.js'

const alert: Alert = { kind: 'gpu-hot', title: 'The GPU is too hot', body: 'The GPU is at 92 °C.', at: 0 }

describe('alerts as desktop notifications', () => {
  it('shows the alert as a notification where the desktop has them', () => {
    const shown: Array<{ title: string; body: string }> = []
    const logs: string[] = []
    desktopNotifier({ isSupported: () => true, create: (options) => ({ show: () => shown.push(options) }) }, (line) =>
      logs.push(line),
    ).notify(alert)
    expect(shown).toEqual([{ title: 'The GPU is too hot', body: 'The GPU is at 92 °C.' }])
    expect(logs).toEqual([])
  })

  it('writes one log line where the desktop has none', () => {
    const logs: string[] = []
    desktopNotifier({ isSupported: () => false, create: () => ({ show: () => expect.unreachable() }) }, (line) => logs.push(line)).notify(
      alert,
    )
    expect(logs).toEqual(['alert: The GPU is too hot: The GPU is at 92 °C.'])
  })
})
