import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DesktopNotifier } from '../../src/main/alerts/alertService.js'
import type { GpuReader } from '../../src/main/lib/gpuReadings.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { createHost, type Host } from '../../src/main/host/createHost.js'
import type { Alert } from '../../src/shared/alerts.js'
import type { EarnSnapshot } from '../../src/shared/domain.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

/** The GPU's temperature, as the test says it is. */
const gpu = { temperature: 60 }
const gpuReader: GpuReader = { read: async () => [{ index: '0', temperatureCelsius: gpu.temperature, powerWatts: 150, memoryUsedBytes: 1024 * 1024 * 1024, memoryTotalBytes: null }] }
const shown: Alert[] = []
const notifier: DesktopNotifier = { notify: (alert) => shown.push(alert) }

const temp = tempDataDir()
let host: Host
let grid: DevGrid
let earn: EarnSnapshot | null = null

beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({ mode: 'horde' })
  host = createHost({
    dataDir: temp.dir,
    shell: 'headless',
    version: '0.0.0-test',
    launchEngine: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }),
    gpuReader,
    notifier,
  })
  host.events.subscribe((name, payload) => {
    if (name === 'earn.snapshot') earn = payload as EarnSnapshot
  })
})
afterAll(async () => {
  await host.close()
  await grid.close()
  temp.cleanup()
})

function until<T>(check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const poll = () => {
      const value = check()
      if (value !== undefined && value !== false) return resolve(value)
      if (Date.now() > deadline) return reject(new Error('timed out'))
      setTimeout(poll, 10)
    }
    poll()
  })
}

async function call(name: string, request: unknown): Promise<unknown> {
  const result = await host.dispatch(name, request)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value
}

describe('the thermal guard and alerts in the host', () => {
  it('pauses mining while the GPU is too hot, shows why like other pauses, alerts once, and resumes once it has cooled', async () => {
    await call('engine.load', { path: temp.model })
    await call('earn.configure', { network: 'horde', gridUrl: grid.url, workerName: 'hot-rig', slots: 1, maxLength: 512, maxContextLength: 2048 })
    await call('earn.setApiKey', { network: 'horde', apiKey: 'dev-key-alice' })
    await call('earn.setPolicy', { idleMinutes: 0, pauseOnBattery: false, schedule: { enabled: false, windows: [] }, localCooldownSeconds: 1, thermal: { enabled: true, pauseAboveC: 85, resumeBelowC: 75 } })
    await call('earn.start', {})
    await until(() => earn?.state === 'waiting')

    gpu.temperature = 91
    await host.thermal.sample()
    const paused = await until(() => (earn?.state === 'paused' ? earn : undefined), 10_000)
    expect(paused.pause).toEqual({ reason: 'thermal', message: 'Paused because the GPU is too hot (91 °C); mining resumes below 75 °C.', resumesAt: null })
    expect(paused.status).toBe('paused')
    expect(shown.map((alert) => alert.kind)).toEqual(['gpu-hot'])

    // Between the limits: still paused (hysteresis), no second alert.
    gpu.temperature = 80
    await host.thermal.sample()
    expect(host.miningGate.pause()?.reason).toBe('thermal')
    gpu.temperature = 70
    await host.thermal.sample()
    await until(() => earn?.state === 'waiting', 10_000)
    expect(earn?.pause).toBeNull()
    expect(shown.map((alert) => alert.kind)).toEqual(['gpu-hot'])

    await call('earn.stop', {})
    await until(() => earn?.state === 'off')
  })

  it('answers the alert calls through the host and sends a test alert to the desktop', async () => {
    const settings = (await call('alerts.settings', {})) as { webhook: { configured: boolean } }
    expect(settings.webhook.configured).toBe(false)
    expect(await call('alerts.test', {})).toEqual({ desktop: 'sent', webhook: 'off', message: null })
    expect(shown.at(-1)).toMatchObject({ kind: 'test', title: 'GridForge test alert' })
  })
})
