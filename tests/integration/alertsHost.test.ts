import { describe, expect, it } from 'vitest'
import type { DesktopNotifier } from '../../src/main/alerts/alertService.js'
import type { GpuReader } from '../../src/main/lib/gpuReadings.js'
import type { Alert } from '../../src/shared/alerts.js'
import { until, useEarnHost } from './hostHarness.js'

/** The GPU's temperature, as the test says it is. */
const gpu = { temperature: 60 }
const gpuReader: GpuReader = {
  read: async () => [
    { index: '0', temperatureCelsius: gpu.temperature, powerWatts: 150, memoryUsedBytes: 1024 * 1024 * 1024, memoryTotalBytes: null },
  ],
}
const shown: Alert[] = []
const notifier: DesktopNotifier = { notify: (alert) => shown.push(alert) }

const { temp, host, grid, call, earn } = useEarnHost({ horde: { mode: 'horde' } }, { gpuReader, notifier })

describe('the thermal guard and alerts in the host', () => {
  it('pauses mining while the GPU is too hot, shows why like other pauses, alerts once, and resumes once it has cooled', async () => {
    await call('engine.load', { path: temp.model })
    await call('earn.configure', {
      network: 'horde',
      gridUrl: grid('horde').url,
      workerName: 'hot-rig',
      slots: 1,
      maxLength: 512,
      maxContextLength: 2048,
    })
    await call('earn.setApiKey', { network: 'horde', apiKey: 'dev-key-alice' })
    await call('earn.setPolicy', {
      idleMinutes: 0,
      pauseOnBattery: false,
      schedule: { enabled: false, windows: [] },
      localCooldownSeconds: 1,
      thermal: { enabled: true, pauseAboveC: 85, resumeBelowC: 75 },
    })
    await call('earn.start', {})
    await until(() => earn()?.state === 'waiting')

    gpu.temperature = 91
    await host().thermal.sample()
    const paused = await until(() => (earn()?.state === 'paused' ? earn() : undefined), 10_000)
    expect(paused.pause).toEqual({
      reason: 'thermal',
      message: 'Paused because the GPU is too hot (91 °C); mining resumes below 75 °C.',
      resumesAt: null,
    })
    expect(paused.status).toBe('paused')
    expect(shown.map((alert) => alert.kind)).toEqual(['gpu-hot'])

    // Between the limits: still paused (hysteresis), no second alert.
    gpu.temperature = 80
    await host().thermal.sample()
    expect(host().miningGate.pause()?.reason).toBe('thermal')
    gpu.temperature = 70
    await host().thermal.sample()
    await until(() => earn()?.state === 'waiting', 10_000)
    expect(earn()?.pause).toBeNull()
    expect(shown.map((alert) => alert.kind)).toEqual(['gpu-hot'])

    await call('earn.stop', {})
    await until(() => earn()?.state === 'off')
  })

  it('answers the alert calls through the host and sends a test alert to the desktop', async () => {
    const settings = (await call('alerts.settings', {})) as { webhook: { configured: boolean } }
    expect(settings.webhook.configured).toBe(false)
    expect(await call('alerts.test', {})).toEqual({ desktop: 'sent', webhook: 'off', message: null })
    expect(shown.at(-1)).toMatchObject({ kind: 'test', title: 'GridForge test alert' })
  })
})
