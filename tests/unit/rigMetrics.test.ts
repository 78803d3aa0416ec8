import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { JobRecord } from '../../src/shared/domain.js'
import { cachedReading, parseNvidiaSmi, type GpuReading } from '../../src/main/lib/gpuReadings.js'
import { startMetricsServer } from '../../src/main/metrics/metricsServer.js'
import { RigMetrics } from '../../src/main/metrics/rigMetrics.js'
import { engineSnapshot, loadedModelAt } from '../support/fakeEngine.js'

function record(change: Partial<JobRecord>): JobRecord {
  return {
    network: 'aipg',
    jobId: 'job-1234567890',
    model: 'stories260K',
    promptTokens: 12,
    completionTokens: 30,
    durationMs: 1500,
    tokensPerSecond: 42,
    reward: null,
    state: 'ok',
    error: null,
    startedAt: 1_000,
    finishedAt: 2_500,
    ...change,
  }
}

const engine = engineSnapshot
const loaded = (fileName: string) => loadedModelAt(`/models/${fileName}`, { contextSize: 512 })

/** The value of one series, parsed from the exposition text a scrape gets. */
async function value(metrics: RigMetrics, series: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics()
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

const bare = () => new RigMetrics({ version: '9.9.9', processMetrics: false })

describe('rig metrics from worker events', () => {
  it('counts an AIPG job once, and its den when the ack comes later', async () => {
    const metrics = bare()
    const job = record({})
    metrics.observeWorker({ type: 'job-started', slot: 0, network: 'aipg', jobId: job.jobId, model: job.model })
    expect(await value(metrics, 'gridforge_jobs_running')).toBe(1)
    metrics.observeWorker({ type: 'job-finished', record: job })
    metrics.observeWorker({ type: 'job-rewarded', record: { ...job, reward: 2.5 } })
    expect(await value(metrics, 'gridforge_jobs_total{network="aipg",state="ok"}')).toBe(1)
    expect(await value(metrics, 'gridforge_tokens_generated_total{network="aipg"}')).toBe(30)
    expect(await value(metrics, 'gridforge_rewards_total{network="aipg"}')).toBe(2.5)
    expect(await value(metrics, 'gridforge_job_duration_seconds_bucket{le="2",network="aipg"}')).toBe(1)
    expect(await value(metrics, 'gridforge_job_duration_seconds_bucket{le="1",network="aipg"}')).toBe(0)
    expect(await value(metrics, 'gridforge_engine_tokens_per_second')).toBe(42)
    expect(await value(metrics, 'gridforge_jobs_running')).toBe(0)
  })

  it('counts Horde kudos that come with the answer, per network and state', async () => {
    const metrics = bare()
    metrics.observeWorker({ type: 'job-finished', record: record({ network: 'horde', reward: 7 }) })
    metrics.observeWorker({
      type: 'job-finished',
      record: record({ network: 'horde', jobId: 'b', state: 'faulted', reward: 0, completionTokens: 0 }),
    })
    expect(await value(metrics, 'gridforge_rewards_total{network="horde"}')).toBe(7)
    expect(await value(metrics, 'gridforge_jobs_total{network="horde",state="ok"}')).toBe(1)
    expect(await value(metrics, 'gridforge_jobs_total{network="horde",state="faulted"}')).toBe(1)
    // The Horde has no strikes; a faulted Horde job is not one.
    expect(await value(metrics, 'gridforge_strikes_total')).toBe(0)
  })

  it('counts AIPG strikes: engine errors, faults and empty completions, not client errors', async () => {
    const metrics = bare()
    const jobs = [
      record({ state: 'error', error: 'Generation failed: the engine crashed.', completionTokens: 0 }),
      record({ state: 'faulted', error: 'The worker was stopped before the job finished.' }),
      record({ state: 'ok', completionTokens: 0 }),
      record({ state: 'error', error: 'The prompt is longer than the context this worker advertises.', completionTokens: 0 }),
      record({ state: 'ok' }),
      record({ state: 'dropped', error: 'The connection to the grid was lost during the job.' }),
    ]
    for (const [index, job] of jobs.entries()) metrics.observeWorker({ type: 'job-finished', record: { ...job, jobId: `j${index}` } })
    expect(await value(metrics, 'gridforge_strikes_total')).toBe(3)
  })

  it('counts each retry after losing the grid under the network served', async () => {
    const metrics = bare()
    metrics.setNetwork('aipg')
    expect(await value(metrics, 'gridforge_grid_reconnects_total{network="aipg"}')).toBe(0)
    metrics.observeWorker({ type: 'state', state: 'backoff', detail: 'The grid closed the connection. Reconnecting in 2 s.' })
    metrics.observeWorker({ type: 'state', state: 'connecting', detail: null })
    metrics.observeWorker({ type: 'state', state: 'backoff', detail: 'The grid closed the connection. Reconnecting in 4 s.' })
    expect(await value(metrics, 'gridforge_grid_reconnects_total{network="aipg"}')).toBe(2)
  })

  it('never puts job ids, error sentences or key-like text in the exposition', async () => {
    const metrics = bare()
    metrics.observeWorker({ type: 'job-finished', record: record({ state: 'error', error: 'Generation failed: secret-ish sentence.' }) })
    metrics.observeWorker({ type: 'state', state: 'backoff', detail: 'The API key abc123 was refused. Retrying in 5 s.' })
    const text = await metrics.registry.metrics()
    expect(text).not.toContain('job-1234567890')
    expect(text).not.toContain('secret-ish')
    expect(text).not.toContain('abc123')
  })
})

describe('rig metrics from the miner and the engine', () => {
  it('sets exactly one miner state to 1, with the pause reason', async () => {
    const metrics = bare()
    metrics.setMinerState('paused', { reason: 'schedule', message: 'Paused by schedule (resumes Mon 22:00)', resumesAt: null })
    const text = await metrics.registry.metrics()
    const states = text.split('\n').filter((line) => line.startsWith('gridforge_miner_state{'))
    expect(states.filter((line) => line.endsWith(' 1'))).toEqual(['gridforge_miner_state{state="paused-schedule",status="paused"} 1'])
    expect(states.length).toBeGreaterThanOrEqual(12)
    metrics.setMinerState('working', null)
    expect(await value(metrics, 'gridforge_miner_state{state="working",status="mining"}')).toBe(1)
    expect(await value(metrics, 'gridforge_miner_state{state="paused-schedule",status="paused"}')).toBe(0)
  })

  it('keeps one model series as models change, and counts engine restarts once each', async () => {
    const metrics = bare()
    metrics.observeEngine(engine({ model: loaded('stories260K.gguf') }))
    expect(await value(metrics, 'gridforge_model_loaded{model="stories260K"}')).toBe(1)
    metrics.observeEngine(engine({ model: loaded('tinyllama.Q4_K_M.gguf'), restarts: 1 }))
    metrics.observeEngine(engine({ model: loaded('tinyllama.Q4_K_M.gguf'), restarts: 1 }))
    metrics.observeEngine(engine({ model: null, state: 'restarting', restarts: 3 }))
    const text = await metrics.registry.metrics()
    expect(text.split('\n').filter((line) => line.startsWith('gridforge_model_loaded{'))).toEqual([])
    expect(await value(metrics, 'gridforge_engine_restarts_total')).toBe(3)
    metrics.observeEngine(engine({ model: loaded('tinyllama.Q4_K_M.gguf'), restarts: 3 }))
    expect(await value(metrics, 'gridforge_model_loaded{model="tinyllama.Q4_K_M"}')).toBe(1)
    expect(await value(metrics, 'gridforge_model_loaded{model="stories260K"}')).toBeUndefined()
  })
})

describe('GPU readings', () => {
  it('has no GPU series on a machine without nvidia-smi', async () => {
    const metrics = new RigMetrics({ version: '1', processMetrics: false, gpu: { read: async () => null } })
    expect(await metrics.registry.metrics()).not.toMatch(/^gridforge_gpu_\w+\{/m)
  })

  it('reports temperature, power and memory per GPU index, leaving out what the card does not say', async () => {
    const readings = parseNvidiaSmi('0, 71, 215.40, 8123, 24564\n1, 45, [N/A], 0, 24564\n')
    const metrics = new RigMetrics({ version: '1', processMetrics: false, gpu: { read: async () => readings } })
    expect(await value(metrics, 'gridforge_gpu_temperature_celsius{gpu="0"}')).toBe(71)
    expect(await value(metrics, 'gridforge_gpu_power_watts{gpu="0"}')).toBe(215.4)
    expect(await value(metrics, 'gridforge_gpu_power_watts{gpu="1"}')).toBeUndefined()
    expect(await value(metrics, 'gridforge_gpu_memory_used_bytes{gpu="0"}')).toBe(8123 * 1024 * 1024)
  })

  it('reports the engine VRAM only when the engine runs on a GPU', async () => {
    const hardware = { gpuNames: [], vramTotalBytes: 8e9, vramFreeBytes: 6e9, ramTotalBytes: 1, ramFreeBytes: 1, cpuCores: 2 }
    const gpu = new RigMetrics({ version: '1', processMetrics: false, hardware: async () => ({ ...hardware, gpu: 'cuda' }) })
    expect(await value(gpu, 'gridforge_engine_vram_free_bytes{backend="cuda"}')).toBe(6e9)
    const cpu = new RigMetrics({ version: '1', processMetrics: false, hardware: async () => ({ ...hardware, gpu: null }) })
    expect(await cpu.registry.metrics()).not.toMatch(/^gridforge_engine_vram_\w+/m)
  })

  it('reads once per interval however many scrapes come, and stops asking a missing tool', async () => {
    let clock = 0
    let calls = 0
    const reading: GpuReading = { index: '0', temperatureCelsius: 60, powerWatts: null, memoryUsedBytes: null, memoryTotalBytes: null }
    const read = cachedReading(
      async () => (calls++, [reading]),
      10_000,
      () => clock,
    )
    await Promise.all(Array.from({ length: 50 }, () => read()))
    expect(calls).toBe(1)
    clock = 9_999
    await read()
    expect(calls).toBe(1)
    clock = 10_000
    await read()
    expect(calls).toBe(2)

    let missingCalls = 0
    const missing = cachedReading(
      async () => (missingCalls++, null),
      10,
      () => clock,
    )
    await missing()
    clock += 1_000
    expect(await missing()).toBeNull()
    expect(missingCalls).toBe(1)
  })

  it('asks again after a reading failed (a timeout is not a missing tool)', async () => {
    let clock = 0
    let calls = 0
    const read = cachedReading(
      async () => {
        calls++
        if (calls === 1) throw new Error('timeout')
        return 5
      },
      100,
      () => clock,
    )
    expect(await read()).toBeNull()
    clock = 100
    expect(await read()).toBe(5)
  })
})

describe('the /metrics server', () => {
  it('serves the exposition text and nothing else', async () => {
    const metrics = bare()
    metrics.observeWorker({ type: 'job-finished', record: record({}) })
    const started = await startMetricsServer(metrics.registry, { host: '127.0.0.1', port: 0 })
    if (!started.ok) throw new Error(started.message)
    try {
      expect(started.warning).toBeNull()
      const response = await fetch(started.endpoint.url)
      expect(response.headers.get('content-type')).toContain('text/plain')
      expect(await response.text()).toContain('gridforge_jobs_total{network="aipg",state="ok"} 1')
      expect((await fetch(started.endpoint.url.replace('/metrics', '/'))).status).toBe(404)
      expect((await fetch(started.endpoint.url, { method: 'POST' })).status).toBe(405)
    } finally {
      await started.endpoint.close()
    }
  })

  it('says in one sentence that a port is taken, without throwing', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      const started = await startMetricsServer(bare().registry, { host: '127.0.0.1', port })
      expect(started).toEqual({
        ok: false,
        message: `Metrics port ${port} is already in use, so metrics are off; pick another with --metrics-port.`,
      })
    } finally {
      blocker.close()
    }
  })

  it('warns when listening beyond loopback', async () => {
    const started = await startMetricsServer(bare().registry, { host: '0.0.0.0', port: 0 })
    if (!started.ok) throw new Error(started.message)
    await started.endpoint.close()
    expect(started.warning).toMatch(/can be read from other machines/)
  })

  it('renders once per second under a scrape storm', async () => {
    const metrics = bare()
    let renders = 0
    const registry = metrics.registry
    const original = registry.metrics.bind(registry)
    registry.metrics = () => (renders++, original())
    const started = await startMetricsServer(registry, { host: '127.0.0.1', port: 0, now: () => 0 })
    if (!started.ok) throw new Error(started.message)
    try {
      await Promise.all(Array.from({ length: 20 }, () => fetch(started.endpoint.url).then((response) => response.text())))
      expect(renders).toBe(1)
    } finally {
      await started.endpoint.close()
    }
  })
})
