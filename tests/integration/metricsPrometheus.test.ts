import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { aipgWorkerArgs, startGridforge, type RunningCli } from '../support/cliRun.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { freePort } from '../support/freePort.js'
import { repoRoot, tempDataDir } from '../support/paths.js'
import { ensurePrometheus, poll, PROMETHEUS_MISSING, startPrometheus, type TestPrometheus } from '../support/prometheus.js'

const temp = tempDataDir()
const keyFile = join(temp.dir, 'key')
writeFileSync(keyFile, 'dev-key-alice\n')
let grid: DevGrid | undefined
let prometheus: TestPrometheus | undefined
let worker: RunningCli | undefined
let available = false

beforeAll(() => {
  available = ensurePrometheus()
  if (!available) console.warn(PROMETHEUS_MISSING)
}, 400_000)
afterEach(async () => {
  await prometheus?.close()
  prometheus = undefined
  if (worker) {
    worker.child.kill('SIGTERM')
    await worker.exited
    worker = undefined
  }
  await grid?.close()
})
afterAll(() => temp.cleanup())

async function enqueueJobs(count: number): Promise<DevGrid> {
  const started = await startDevGrid({ mode: 'aipg' })
  for (let i = 0; i < count; i++)
    started.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24 } })
  return started
}

describe('gridforge worker --metrics-port, scraped by a real Prometheus', () => {
  it('answers PromQL for the jobs it did, and its scrape passes promtool', async (context) => {
    if (!available) return context.skip()
    grid = await enqueueJobs(2)
    const metricsPort = await freePort()
    worker = startGridforge(temp.dir, aipgWorkerArgs(grid.url, keyFile, 'metrics-rig', ['--metrics-port', String(metricsPort)]))
    const running = worker
    expect(
      await poll(async () => running.stderr().includes(`Prometheus metrics on http://127.0.0.1:${metricsPort}/metrics`), 30_000, 100),
    ).toBe(true)
    prometheus = await startPrometheus({ port: await freePort(), targets: [`127.0.0.1:${metricsPort}`], intervalSeconds: 1 })
    const server = prometheus

    const jobsDone = async () => (await server.query('sum by (network) (gridforge_jobs_total{state="ok"})'))[0]?.value ?? 0
    expect(await poll(async () => (await jobsDone()) === 2, 45_000, 1000)).toBe(true)
    expect(await server.query('gridforge_jobs_total{state="ok"}')).toEqual([
      {
        metric: expect.objectContaining({
          __name__: 'gridforge_jobs_total',
          network: 'aipg',
          state: 'ok',
          instance: `127.0.0.1:${metricsPort}`,
        }),
        value: 2,
      },
    ])
    const tokens = await server.query('gridforge_tokens_generated_total')
    expect(tokens[0]?.value).toBeGreaterThan(0)
    const state = await server.query('gridforge_miner_state == 1')
    expect(state.map((series) => series.metric.state)).toEqual(['waiting'])
    // Labelled by the name the grid knows the model under.
    expect((await server.query('gridforge_model_loaded'))[0]?.metric.model).toBe((grid.aipg.registrations.at(-1)?.models as string[])[0])
    expect(await server.query('up{job="gridforge"}')).toEqual([{ metric: expect.anything(), value: 1 }])

    // Every query of the shipped dashboard is valid PromQL over these series; the rig's state and model panels show this rig.
    const dashboard = JSON.parse(readFileSync(join(repoRoot, 'resources', 'grafana', 'gridforge-rig.json'), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>
    }
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const expr = target.expr.replaceAll('$instance', '.*').replaceAll('$network', '.*').replaceAll('$__rate_interval', '1m')
        await expect(server.query(expr), panel.title).resolves.toBeInstanceOf(Array)
      }
    }
    const panelQuery = (title: string) =>
      dashboard.panels.find((panel) => panel.title === title)!.targets[0]!.expr.replaceAll('$instance', '.*')
    expect((await server.query(panelQuery('Miner state'))).map((series) => series.metric.state)).toEqual(['waiting'])
    expect(await server.query(panelQuery('Model loaded'))).toHaveLength(1)

    const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    expect(scrape).toMatch(/^process_cpu_seconds_total /m)
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: scrape, encoding: 'utf8' })
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('')
    expect(lint.status).toBe(0)
    expect(scrape).not.toContain('Once upon a time')
    expect(scrape).not.toContain('dev-key-alice')
  })

  it('keeps earning when the metrics port is taken, after one sentence', async () => {
    grid = await enqueueJobs(1)
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      worker = startGridforge(
        temp.dir,
        aipgWorkerArgs(grid.url, keyFile, 'metrics-busy', ['--max-jobs', '1', '--metrics-port', String(port)]),
      )
      const code = await worker.exited
      expect(code).toBe(0)
      expect(
        worker
          .stderr()
          .split('\n')
          .filter((line) => line.includes('Metrics')),
      ).toEqual([`Metrics port ${port} is already in use, so metrics are off; pick another with --metrics-port.`])
      expect(worker.stdout()).toMatch(/^Summary: 1 job \(1 ok\)/m)
    } finally {
      blocker.close()
    }
  })
})
