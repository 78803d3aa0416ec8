import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { EarnState, EngineSnapshot, JobRecord, LoadedModel, PauseInfo } from '../../shared/domain.js'
import type { HardwareInfo } from '../../shared/models.js'
import type { WorkerEvent } from '../../worker/workerTypes.js'
import { cachedReading, type GpuReader, type GpuReading } from '../lib/gpuReadings.js'
import { MINER_STATE_SERIES, minerStateLabel } from './minerStateSeries.js'
import { isStrike } from '../../worker/strikes.js'

/** What the rig's metrics read besides the events they are given. */
export interface RigMetricsOptions {
  version: string
  /** GPU temperature, power and memory (nvidia-smi, rocm-smi); absent, there are no such series. */
  gpu?: GpuReader
  /** node-llama-cpp's view of VRAM (the engine's hardware call); absent, no VRAM series. */
  hardware?: () => Promise<HardwareInfo>
  /** The `model` label: the advertised name or the file stem, never free text. */
  modelName?: (model: LoadedModel) => string
  /** How long one GPU or VRAM reading serves scrapes (bounds the cost of a scrape storm). */
  readingMaxAgeMs?: number
  /** Process metrics (CPU, memory, event loop); off in unit tests that count series. */
  processMetrics?: boolean
  now?: () => number
}

/** Seconds: from a short reply on a fast GPU to a long one on a CPU. */
const DURATION_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300]
const READING_TIMEOUT_MS = 2000
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']

/**
 * The rig's Prometheus registry, fed by the services' own events (worker events, miner and engine
 * snapshots); a scrape reads what those left, plus cached GPU readings. Labels are bounded values only:
 * networks, job states, miner states, one model name, GPU indexes; never prompts, keys or sentences.
 */
export class RigMetrics {
  readonly registry = new Registry()
  private readonly jobs: Counter<'network' | 'state'>
  private readonly tokens: Counter<'network'>
  private readonly promptTokens: Counter<'network'>
  private readonly rewards: Counter<'network'>
  private readonly duration: Histogram<'network'>
  private readonly running: Gauge
  private readonly minerState: Gauge<'state' | 'status'>
  private readonly modelLoaded: Gauge<'model'>
  private readonly tokensPerSecond: Gauge
  private readonly strikes: Counter
  private readonly reconnects: Counter<'network'>
  private readonly restarts: Counter
  private network: string | null = null
  private readonly runningJobs = new Set<string>()
  private restartsSeen = 0
  private model: string | null = null
  private readonly modelName: (model: LoadedModel) => string

  constructor(options: RigMetricsOptions) {
    const registers = [this.registry]
    this.modelName = options.modelName ?? ((model) => model.fileName.replace(/\.gguf$/i, ''))
    const info = new Gauge({
      name: 'gridforge_info',
      help: 'GridForge build running on this rig (always 1).',
      labelNames: ['version'],
      registers,
    })
    info.set({ version: options.version }, 1)
    this.jobs = new Counter({
      name: 'gridforge_jobs_total',
      help: 'Grid jobs answered, by network and outcome.',
      labelNames: ['network', 'state'],
      registers,
    })
    this.tokens = new Counter({
      name: 'gridforge_tokens_generated_total',
      help: 'Tokens generated for grid jobs.',
      labelNames: ['network'],
      registers,
    })
    this.promptTokens = new Counter({
      name: 'gridforge_prompt_tokens_total',
      help: 'Prompt tokens read for grid jobs.',
      labelNames: ['network'],
      registers,
    })
    this.rewards = new Counter({
      name: 'gridforge_rewards_total',
      help: 'Rewards the grid settled: den on AIPG, kudos on the Horde.',
      labelNames: ['network'],
      registers,
    })
    this.duration = new Histogram({
      name: 'gridforge_job_duration_seconds',
      help: 'Time from taking a grid job to answering it.',
      labelNames: ['network'],
      buckets: DURATION_BUCKETS,
      registers,
    })
    this.running = new Gauge({ name: 'gridforge_jobs_running', help: 'Grid jobs generating now.', registers })
    this.minerState = new Gauge({
      name: 'gridforge_miner_state',
      help: 'The miner state (1) and the others (0); paused-<reason> says which policy holds it.',
      labelNames: ['state', 'status'],
      registers,
    })
    this.modelLoaded = new Gauge({
      name: 'gridforge_model_loaded',
      help: 'The model loaded in the engine (1), by advertised name or file stem.',
      labelNames: ['model'],
      registers,
    })
    this.tokensPerSecond = new Gauge({
      name: 'gridforge_engine_tokens_per_second',
      help: 'Decode speed of the last grid job that generated tokens.',
      registers,
    })
    this.strikes = new Counter({
      name: 'gridforge_strikes_total',
      help: 'AIPG strikes: error answers that were not client errors, and empty completions.',
      registers,
    })
    this.reconnects = new Counter({
      name: 'gridforge_grid_reconnects_total',
      help: 'Times the worker lost or could not reach the grid and retried.',
      labelNames: ['network'],
      registers,
    })
    this.restarts = new Counter({ name: 'gridforge_engine_restarts_total', help: 'Engine process restarts after it died.', registers })
    this.setMinerState('off', null)
    const maxAgeMs = options.readingMaxAgeMs ?? 10_000
    const gpu = options.gpu
    if (gpu) this.gpuGauges(cachedReading(() => gpu.read(), maxAgeMs, options.now))
    if (options.hardware) this.vramGauges(cachedReading(withTimeout(options.hardware, READING_TIMEOUT_MS), maxAgeMs, options.now))
    if (options.processMetrics !== false) {
      collectDefaultMetrics({ register: this.registry })
      // Gauges named like counters: `promtool check metrics` rejects them, and the handle counts say little about a rig.
      for (const name of MISNAMED_DEFAULTS) this.registry.removeSingleMetric(name)
    }
  }

  /** The network the worker serves: reconnects are counted under it. */
  setNetwork(network: string): void {
    this.network = network
    this.reconnects.inc({ network }, 0)
  }

  /** What the worker did: jobs taken, answered and rewarded, and retries after losing the grid. */
  observeWorker(event: WorkerEvent): void {
    switch (event.type) {
      case 'state':
        if (event.state === 'backoff') this.reconnects.inc({ network: this.network ?? 'unknown' })
        return
      case 'job-started':
        this.network = event.network
        this.runningJobs.add(event.jobId)
        this.running.set(this.runningJobs.size)
        return
      case 'job-finished':
        this.runningJobs.delete(event.record.jobId)
        this.running.set(this.runningJobs.size)
        this.finished(event.record)
        return
      case 'job-rewarded':
        if (event.record.reward) this.rewards.inc({ network: event.record.network }, event.record.reward)
        return
      case 'job-progress':
        return
    }
  }

  /** The miner's state and pause (the host's earn snapshot, or the CLI worker's state). */
  setMinerState(state: EarnState, pause: PauseInfo | null): void {
    const current = minerStateLabel(state, pause)
    for (const series of MINER_STATE_SERIES) this.minerState.set(series, series.state === current ? 1 : 0)
  }

  /** The engine's snapshot: the model loaded, restarts. */
  observeEngine(snapshot: EngineSnapshot): void {
    if (snapshot.restarts > this.restartsSeen) this.restarts.inc(snapshot.restarts - this.restartsSeen)
    this.restartsSeen = snapshot.restarts
    const model = snapshot.model ? this.modelName(snapshot.model) : null
    if (model === this.model) return
    // One series at a time: a rig that switches models does not grow its label set.
    this.modelLoaded.reset()
    if (model !== null) this.modelLoaded.set({ model }, 1)
    this.model = model
  }

  private finished(record: JobRecord): void {
    const network = record.network
    this.jobs.inc({ network, state: record.state })
    this.tokens.inc({ network }, record.completionTokens)
    this.promptTokens.inc({ network }, record.promptTokens)
    this.duration.observe({ network }, record.durationMs / 1000)
    if (record.reward) this.rewards.inc({ network }, record.reward)
    if (record.completionTokens > 0 && record.tokensPerSecond > 0) this.tokensPerSecond.set(record.tokensPerSecond)
    if (isStrike(record)) this.strikes.inc()
  }

  private gpuGauges(read: () => Promise<GpuReading[] | null>): void {
    const gauge = (name: string, help: string, field: keyof Omit<GpuReading, 'index'>) =>
      new Gauge({
        name,
        help,
        labelNames: ['gpu'],
        registers: [this.registry],
        async collect() {
          this.reset()
          for (const gpu of (await read()) ?? []) {
            const value = gpu[field]
            if (value !== null) this.set({ gpu: gpu.index }, value)
          }
        },
      })
    gauge('gridforge_gpu_temperature_celsius', 'GPU temperature (nvidia-smi).', 'temperatureCelsius')
    gauge('gridforge_gpu_power_watts', 'GPU power draw (nvidia-smi).', 'powerWatts')
    gauge('gridforge_gpu_memory_used_bytes', 'GPU memory in use (nvidia-smi).', 'memoryUsedBytes')
    gauge('gridforge_gpu_memory_total_bytes', 'GPU memory in all (nvidia-smi).', 'memoryTotalBytes')
  }

  private vramGauges(read: () => Promise<HardwareInfo | null>): void {
    const gauge = (name: string, help: string, pick: (info: HardwareInfo) => number) =>
      new Gauge({
        name,
        help,
        // Labelled by the backend (cuda, vulkan, metal), so a CPU-only engine has no series rather than a misleading 0.
        labelNames: ['backend'],
        registers: [this.registry],
        async collect() {
          this.reset()
          const info = await read()
          if (info?.gpu) this.set({ backend: info.gpu }, pick(info))
        },
      })
    gauge('gridforge_engine_vram_total_bytes', 'VRAM the engine sees in all (node-llama-cpp).', (info) => info.vramTotalBytes)
    gauge('gridforge_engine_vram_free_bytes', 'VRAM the engine sees free (node-llama-cpp).', (info) => info.vramFreeBytes)
  }
}

/** A reading that does not come in time fails: a scrape never waits on a busy engine for long. */
function withTimeout<T>(read: () => Promise<T>, ms: number): () => Promise<T> {
  return () =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reading in time')), ms)
      read()
        .then(resolve, reject)
        .finally(() => clearTimeout(timer))
    })
}
