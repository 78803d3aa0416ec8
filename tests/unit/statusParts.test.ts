import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseMetricsText } from '../../src/main/cli/metricsText.js'
import { announceInstance, runningInstances } from '../../src/main/cli/runningInstance.js'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-status-'))
  dirs.push(dir)
  return dir
}

describe('the metrics text status reads', () => {
  it('reads names, labels (escapes included) and values, skipping comments', () => {
    const samples = parseMetricsText(
      '# HELP gridforge_model_loaded The model\n# TYPE gridforge_model_loaded gauge\ngridforge_model_loaded{model="grid/a \\"b\\""} 1\ngridforge_strikes_total 3\n',
    )
    expect(samples).toEqual([
      { name: 'gridforge_model_loaded', labels: { model: 'grid/a "b"' }, value: 1 },
      { name: 'gridforge_strikes_total', labels: {}, value: 3 },
    ])
  })
})

describe('running instances', () => {
  it('finds this process while announced, and not after', () => {
    const dir = dataDir()
    const withdraw = announceInstance(dir, {
      kind: 'worker',
      url: null,
      metricsUrl: 'http://127.0.0.1:9464/metrics',
      version: '1.2.3',
      grid: { network: 'aipg', url: 'http://127.0.0.1:1' },
    })
    expect(runningInstances(dir)).toMatchObject([{ kind: 'worker', pid: process.pid, metricsUrl: 'http://127.0.0.1:9464/metrics' }])
    withdraw()
    expect(runningInstances(dir)).toEqual([])
  })

  it('forgets files of processes that died and files that do not read', () => {
    const dir = dataDir()
    announceInstance(dir, { kind: 'serve', url: 'http://127.0.0.1:5199/', metricsUrl: null, version: '1', grid: null })
    const running = join(dir, 'running')
    const [announced] = readdirSync(running)
    // A pid above the kernel's limit belongs to no process.
    const dead = JSON.stringify({ kind: 'serve', pid: 4_194_305, url: null, metricsUrl: null, version: '1', startedAt: 1, grid: null })
    writeFileSync(join(running, 'serve-4194305.json'), dead)
    writeFileSync(join(running, 'worker-1.json'), '{not json')
    expect(runningInstances(dir).map((instance) => instance.pid)).toEqual([process.pid])
    expect(readdirSync(running)).toEqual([announced])
  })
})
