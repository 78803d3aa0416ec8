import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import pkg from '../../package.json'
import type { RigStatus } from '../../src/main/cli/statusCommand.js'
import { aipgWorkerArgs, startGridforge } from '../support/cliRun.js'
import { startDevGrid } from '../support/devGrid/index.js'
import { freePort } from '../support/freePort.js'
import { tempDataDir } from '../support/paths.js'
import { poll } from '../support/prometheus.js'

const temp = tempDataDir()
afterAll(() => temp.cleanup())

const gridforge = (args: string[]) => startGridforge(temp.dir, args)

async function status(json: boolean): Promise<string> {
  const run = gridforge(['status', ...(json ? ['--json'] : [])])
  expect(await run.exited).toBe(0)
  return run.stdout()
}

describe('gridforge status', () => {
  it('shows the running worker, its model and state, the grid and the last job; then that nothing runs', async () => {
    const grid = await startDevGrid({ mode: 'aipg' })
    const keyFile = join(temp.dir, 'key')
    writeFileSync(keyFile, 'dev-key-alice\n')
    grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 16 } })
    const metricsPort = await freePort()
    const worker = gridforge(aipgWorkerArgs(grid.url, keyFile, 'status-rig', ['--metrics-port', String(metricsPort)]))
    try {
      expect(
        await poll(async () => / {2}ok$/m.test(worker.stdout()) && worker.stderr().includes('Prometheus metrics on'), 30_000, 100),
      ).toBe(true)
      const live = JSON.parse(await status(true)) as RigStatus
      expect(live).toMatchObject({
        schema: 1,
        version: pkg.version,
        running: { kind: 'worker', pid: worker.child.pid, url: null, answering: true },
        engine: { running: true, model: (grid.aipg.registrations.at(-1)?.models as string[])[0], restarts: 0 },
        miner: { state: 'waiting', status: 'mining', pauseReason: null },
        grid: { network: 'aipg', url: grid.url, reachable: true, problem: null },
        lastJob: { network: 'aipg', state: 'ok' },
        metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      })
      expect(live.lastJob?.completionTokens).toBeGreaterThan(0)
      const screen = await status(false)
      expect(screen).toMatch(/^Miner: {5}waiting$/m)
      expect(screen).toContain(`Metrics:   http://127.0.0.1:${metricsPort}/metrics`)
      expect(screen).not.toContain('dev-key-alice')
    } finally {
      worker.child.kill('SIGTERM')
      await worker.exited
      await grid.close()
    }
    const after = JSON.parse(await status(true)) as RigStatus
    expect(after).toMatchObject({
      running: null,
      engine: { running: false, model: null },
      miner: { state: 'off' },
      metricsUrl: null,
      lastJob: { state: 'ok' },
    })
  })

  it('shows a running serve and its metrics, which the host feeds from its services', async () => {
    const metricsPort = await freePort()
    const serve = gridforge(['serve', '--port', '0', '--token', 'test-token-0123456789abcdef', '--metrics-port', String(metricsPort)])
    try {
      expect(
        await poll(async () => serve.stdout().includes(`Prometheus metrics on http://127.0.0.1:${metricsPort}/metrics`), 30_000, 100),
      ).toBe(true)
      const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
      expect(scrape).toContain(`gridforge_info{version="${pkg.version}"} 1`)
      expect(scrape).toContain('gridforge_miner_state{state="off",status="idle"} 1')
      expect(scrape).toContain('gridforge_grid_reconnects_total{network="aipg"} 0')
      const live = JSON.parse(await status(true)) as RigStatus
      expect(live).toMatchObject({
        running: { kind: 'serve', pid: serve.child.pid, answering: true },
        engine: { running: true, model: null },
        miner: { state: 'off', status: 'idle' },
        metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      })
      expect(live.running?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      expect(JSON.stringify(live)).not.toContain('test-token')
    } finally {
      serve.child.kill('SIGTERM')
      await serve.exited
    }
  })
})
