import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import { createWorker } from '../src/worker/jobLoop.js'
import type { JobLedger, JobRecord, Network } from '../src/worker/ports.js'
import { startDevGrid, type DevGrid } from '../tests/support/devGrid/index.js'
import { metric, type Metric } from './metrics.js'

/** Keeps counts only, like the real ledger, so the memory measurement is about the worker. */
class CountingLedger implements JobLedger {
  readonly jobs: JobRecord[] = []
  record(job: JobRecord): void {
    if (this.jobs.length < 2000) this.jobs.push(job)
  }
}

/** The `p`th percentile of `samples` (nearest rank). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

function enqueue(grid: DevGrid, network: Network, maxTokens: number): void {
  if (network === 'aipg') {
    grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: maxTokens, temperature: 0.8 } })
  } else {
    grid.enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: maxTokens, temperature: 0.8 } })
  }
}

/**
 * Runs `jobs` jobs through the real worker, the real engine (tiny model unless `model` names another) and
 * the dev grid on loopback. Overhead per job = (job received → answered) − generation time measured by the engine.
 */
export async function runJobs(
  engine: EngineSupervisor,
  network: Network,
  slots: number,
  jobs: number,
  maxTokens: number,
  model = 'stories260K',
  ledger: JobLedger = new CountingLedger(),
) {
  const grid = await startDevGrid({ mode: network, pingIntervalMs: 60_000 })
  for (let i = 0; i < jobs; i++) enqueue(grid, network, maxTokens)
  const worker = createWorker(
    {
      network,
      gridUrl: grid.url,
      apiKey: 'dev-key-alice',
      name: `bench-${network}`,
      models: [network === 'aipg' ? `grid/${model}` : `koboldcpp/${model}`],
      slots,
      maxLength: 512,
      // The Horde's default request context is 2048, as much as the tiny model has.
      maxContextLength: 2048,
      maxJobs: jobs,
      agent: 'GridForge:bench:https://aipowergrid.io',
      idlePollMs: 50,
    },
    { engine, ledger },
  )
  const received = new Map<string, number>()
  const overheads: number[] = []
  let tokens = 0
  let promptTokens = 0
  let firstStart: number | null = null
  let lastFinish = 0
  worker.subscribe((event) => {
    if (event.type === 'job-started') {
      received.set(event.jobId, performance.now())
      firstStart ??= performance.now()
    }
    if (event.type === 'job-finished') {
      const start = received.get(event.record.jobId)
      received.delete(event.record.jobId)
      lastFinish = performance.now()
      if (start !== undefined) overheads.push(lastFinish - start - event.record.durationMs)
      tokens += event.record.completionTokens
      promptTokens += event.record.promptTokens
    }
  })
  const started = performance.now()
  await worker.run()
  const seconds = (performance.now() - started) / 1000
  await grid.close()
  // From the first job taken to the last answered: the worker's start-up and its wait for the queue to
  // run dry are not generation a rig running for hours would pay per job.
  const busySeconds = firstStart === null ? seconds : (lastFinish - firstStart) / 1000
  return {
    overheads,
    tokensPerSecond: tokens / seconds,
    busyTokensPerSecond: tokens / busySeconds,
    answered: overheads.length,
    promptTokens: overheads.length > 0 ? promptTokens / overheads.length : 0,
    completionTokens: overheads.length > 0 ? tokens / overheads.length : 0,
  }
}

/** Worker metrics of issue 3: per-job overhead, throughput by slot count, memory growth over 1000 jobs. */
export async function workerBench(engineEntry: string, model: string, options: { quick: boolean }): Promise<Metric[]> {
  const metrics: Metric[] = []
  const engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), sequences: 4 })
  try {
    await engine.load(model)
    const jobs = options.quick ? 50 : 200
    for (const network of ['aipg', 'horde'] as const) {
      const run = await runJobs(engine, network, 1, jobs, 32)
      metrics.push(metric(`worker.${network}.overhead_ms.p50`, percentile(run.overheads, 50), 'ms', '< 5', `${run.answered} jobs`))
      metrics.push(metric(`worker.${network}.overhead_ms.p99`, percentile(run.overheads, 99), 'ms', '< 25'))
      for (const slots of [1, 2, 4]) {
        const throughput = await runJobs(engine, network, slots, Math.max(20, jobs / 4), 128)
        metrics.push(metric(`worker.${network}.aggregate_tps.slots${slots}`, throughput.tokensPerSecond, 'tok/s'))
      }
    }
    global.gc?.()
    const before = process.memoryUsage().rss
    await runJobs(engine, 'aipg', 1, options.quick ? 200 : 1000, 8)
    global.gc?.()
    const growthMb = (process.memoryUsage().rss - before) / 1024 / 1024
    metrics.push(metric(`worker.host_rss_growth.${options.quick ? 200 : 1000}_jobs`, growthMb, 'MB', '< 20'))
  } finally {
    await engine.close()
  }
  return metrics
}
