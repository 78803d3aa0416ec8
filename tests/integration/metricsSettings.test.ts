import { createServer } from 'node:net'
import { join } from 'node:path'
import { Counter, Registry } from 'prom-client'
import { afterAll, describe, expect, it } from 'vitest'
import { MetricsService } from '../../src/main/metrics/metricsService.js'
import { openDatabase } from '../../src/main/store/database.js'
import { SettingsRepository } from '../../src/main/store/settingsRepository.js'
import { freePort } from '../support/freePort.js'
import { tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
const db = openDatabase(join(temp.dir, 'gridforge.db'))
afterAll(() => {
  db.close()
  temp.cleanup()
})

function service(): MetricsService {
  const registry = new Registry()
  new Counter({ name: 'gridforge_jobs_total', help: 'jobs', registers: [registry] }).inc()
  return new MetricsService({ registry, settings: new SettingsRepository(db) })
}

describe('Settings › Metrics', () => {
  it('serves /metrics once turned on, again at the next start, and stops when turned off', async () => {
    const port = await freePort()
    const first = service()
    expect((await first.startIfEnabled()).url).toBeNull()
    const on = await first.configure({ enabled: true, host: '127.0.0.1', port })
    expect(on).toMatchObject({ url: `http://127.0.0.1:${port}/metrics`, problem: null, warning: null })
    expect(await (await fetch(on.url!)).text()).toContain('gridforge_jobs_total 1')
    await first.close()

    const next = service()
    expect((await next.startIfEnabled()).url).toBe(`http://127.0.0.1:${port}/metrics`)
    const off = await next.configure({ enabled: false, host: '127.0.0.1', port })
    expect(off.url).toBeNull()
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow()
    await next.close()
  })

  it('says in one sentence that the port is taken and leaves the toggle off, also for the next start', async () => {
    const busy = await freePort()
    const holder = createServer().listen(busy, '127.0.0.1')
    try {
      const metrics = service()
      const status = await metrics.configure({ enabled: true, host: '127.0.0.1', port: busy })
      expect(status).toMatchObject({
        settings: { enabled: false, port: busy },
        url: null,
        problem: `Metrics port ${busy} is already in use, so metrics are off; pick another port.`,
      })
      expect((await service().startIfEnabled()).settings.enabled).toBe(false)
    } finally {
      holder.close()
    }
  })

  it('leaves this run to the command line’s --metrics-port, keeping the setting for the next start', async () => {
    const port = await freePort()
    const metrics = service()
    await metrics.startIfEnabled({ overridden: true })
    const saved = await metrics.configure({ enabled: true, host: '127.0.0.1', port })
    expect(saved).toMatchObject({ overridden: true, url: null, settings: { enabled: true, port } })
    const later = service()
    expect((await later.startIfEnabled()).url).toBe(`http://127.0.0.1:${port}/metrics`)
    await later.close()
  })
})
