import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import pkg from '../../package.json'
import type { RigStatus } from '../../src/main/cli/statusCommand.js'
import { startDevGrid } from '../support/devGrid/index.js'
import { freePort } from '../support/freePort.js'
import { cliEntry, requireBuild, tempDataDir } from '../support/paths.js'
import { poll } from '../support/prometheus.js'

const temp = tempDataDir()
afterAll(() => temp.cleanup())

function gridforge(
  args: string[],
): ChildProcessWithoutNullStreams & { out: () => string; err: () => string; exited: Promise<number | null> } {
  requireBuild()
  // Model downloads go to a closed loopback port: never the internet.
  const child = spawn(process.execPath, [cliEntry, ...args, '--data-dir', temp.dir], {
    env: { ...process.env, GRIDFORGE_GPU: 'off', HF_ENDPOINT: 'http://127.0.0.1:9' },
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return Object.assign(child, { out: () => out, err: () => err, exited })
}

async function status(json: boolean): Promise<string> {
  const run = gridforge(['status', ...(json ? ['--json'] : [])])
  expect(await run.exited).toBe(0)
  return run.out()
}

describe('gridforge status', () => {
  it('shows the running worker, its model and state, the grid and the last job; then that nothing runs', async () => {
    const grid = await startDevGrid({ mode: 'aipg' })
    const keyFile = join(temp.dir, 'key')
    writeFileSync(keyFile, 'dev-key-alice\n')
    grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 16 } })
    const metricsPort = await freePort()
    const worker = gridforge([
      'worker',
      '--network',
      'aipg',
      '--grid-url',
      grid.url,
      '--api-key-file',
      keyFile,
      '--model',
      'stories260K',
      '--name',
      'status-rig',
      '--metrics-port',
      String(metricsPort),
    ])
    try {
      expect(await poll(async () => / {2}ok$/m.test(worker.out()) && worker.err().includes('Prometheus metrics on'), 30_000, 100)).toBe(
        true,
      )
      const live = JSON.parse(await status(true)) as RigStatus
      expect(live).toMatchObject({
        schema: 1,
        version: pkg.version,
        running: { kind: 'worker', pid: worker.pid, url: null, answering: true },
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
      worker.kill('SIGTERM')
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
        await poll(async () => serve.out().includes(`Prometheus metrics on http://127.0.0.1:${metricsPort}/metrics`), 30_000, 100),
      ).toBe(true)
      const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
      expect(scrape).toContain(`gridforge_info{version="${pkg.version}"} 1`)
      expect(scrape).toContain('gridforge_miner_state{state="off",status="idle"} 1')
      expect(scrape).toContain('gridforge_grid_reconnects_total{network="aipg"} 0')
      const live = JSON.parse(await status(true)) as RigStatus
      expect(live).toMatchObject({
        running: { kind: 'serve', pid: serve.pid, answering: true },
        engine: { running: true, model: null },
        miner: { state: 'off', status: 'idle' },
        metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      })
      expect(live.running?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      expect(JSON.stringify(live)).not.toContain('test-token')
    } finally {
      serve.kill('SIGTERM')
      await serve.exited
    }
  })
})
