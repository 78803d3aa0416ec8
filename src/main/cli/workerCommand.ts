import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EngineSupervisor } from '../engine/engineSupervisor.js'
import { forkLauncher } from '../engine/forkLauncher.js'
import { dataPaths } from '../host/dataDir.js'
import { JobsRepository } from '../store/jobsRepository.js'
import { openDatabase } from '../store/database.js'
import { advertisedLimits } from '../../grid/advertisedLimits.js'
import { advertisedModels } from '../../grid/advertisedNames.js'
import { bridgeAgent } from '../../grid/gridAuth.js'
import { DEFAULT_GRID_URLS } from '../../grid/gridUrls.js'
import { gridUrlProblem } from '../../shared/gridUrl.js'
import { createWorker, type WorkerEvent } from '../../worker/jobLoop.js'
import { slotWorkerNames } from '../../shared/slotNames.js'
import { identityCoverage } from '../identity/identityCoverage.js'
import { WorkerIdentityService } from '../identity/workerIdentityService.js'
import { FileSecretStore } from '../store/secretStore.js'
import { systemGpuReader } from '../lib/gpuReadings.js'
import { RigMetrics } from '../metrics/rigMetrics.js'
import { metricsPort, serveMetrics, type MetricsFlags } from './metricsFlags.js'
import { announceInstance } from './runningInstance.js'
import type { JobRecord, Network } from '../../worker/ports.js'
import { catalogNamesFor } from '../models/advertisedNames.js'
import { loadCatalog } from '../models/catalog.js'
import { ModelsRepository } from '../store/modelsRepository.js'
import { modelStem, resolveModelArgument } from './modelArgument.js'
import { positiveInt } from './options.js'
import { UsageError } from './usage.js'
import { onStopSignals } from './stopSignals.js'
import { workerSelfTest } from './workerSelfTest.js'

/** Options of `gridforge worker`. */
export interface WorkerOptions extends MetricsFlags {
  dataDir: string
  network?: string
  'grid-url'?: string
  'api-key-file'?: string
  model?: string
  name?: string
  slots?: string
  'max-jobs'?: string
  'max-length'?: string
  'max-context'?: string
  threads?: string
  /** Run the grid readiness self-test instead of earning. */
  'self-test'?: boolean
  /** The self-test's seed (the same seed sends the same probes). */
  seed?: string
  /** Bridge mode (bridgeWorker.ts): an inference server the user runs instead of a local model. */
  backend?: string
  'backend-url'?: string
  'backend-key-file'?: string
  'backend-model'?: string
  version: string
  engineEntry: string
  resourcesDir: string
}

/**
 * Runs the grid worker headless: one line per job, a summary at exit. Ctrl-C finishes the jobs in
 * flight; a second Ctrl-C cancels them (and faults them on the grid).
 */
export async function workerCommand(options: WorkerOptions): Promise<void> {
  if (options['self-test']) return workerSelfTest(options)
  const network = parseNetwork(options.network)
  const gridUrl = readGridUrl(options['grid-url'], network)
  const apiKey = readApiKey(options['api-key-file'])
  const name = options.name?.trim()
  if (!name) throw new UsageError('--name NAME is required (the worker name shown on the grid).')
  const paths = dataPaths(options.dataDir)
  const modelPath = resolveModelArgument(options.model, paths.models)
  const slots = positiveInt(options.slots, 'slots', 1)
  const maxJobs = positiveInt(options['max-jobs'], 'max-jobs', null)
  metricsPort(options['metrics-port'])

  const log = (line: string) => process.stderr.write(`${line}\n`)
  const identity = network === 'aipg' ? new WorkerIdentityService({ secrets: new FileSecretStore(paths.secrets), log }) : undefined
  if (identity) log(identityLine(identity, slotWorkerNames(name, slots)))

  const db = openDatabase(paths.database)
  const ledger = new JobsRepository(db)
  const engine = new EngineSupervisor({
    launch: forkLauncher(options.engineEntry),
    threads: positiveInt(options.threads, 'threads', null),
    sequences: slots,
  })
  let metricsEndpoint: { close(): Promise<void> } | null = null
  let withdraw: () => void = () => undefined
  try {
    const model = await engine.load(modelPath)
    const { maxLength, maxContextLength } = advertisedLimits(
      { maxLength: positiveInt(options['max-length'], 'max-length', 512), maxContextLength: positiveInt(options['max-context'], 'max-context', model.contextSize) },
      model.contextSize,
    )
    const models = advertisedModels(network, modelStem(modelPath), catalogNamesFor(modelPath, new ModelsRepository(db), loadCatalog()))
    const worker = createWorker(
      {
        network,
        gridUrl,
        apiKey,
        name,
        models,
        slots,
        maxLength,
        maxContextLength,
        maxJobs,
        agent: bridgeAgent(options.version),
        extraCa: readFileSync(join(options.resourcesDir, 'cloudflare_origin_rsa_root.pem'), 'utf8'),
      },
      { engine, ledger, logger: { info: log, warn: log }, signer: identity },
    )
    const summary = { jobs: 0, ok: 0, tokens: 0, rewards: 0 }
    worker.subscribe((event) => onEvent(event, summary))
    const metrics = new RigMetrics({ version: options.version, gpu: systemGpuReader(), hardware: () => engine.hardware(), modelName: () => models[0] ?? modelStem(modelPath) })
    metrics.setNetwork(network)
    metrics.observeEngine(engine.snapshot())
    engine.subscribe((snapshot) => metrics.observeEngine(snapshot))
    worker.subscribe((event) => {
      metrics.observeWorker(event)
      if (event.type === 'state') metrics.setMinerState(event.state === 'stopped' ? 'off' : event.state, null)
    })
    const endpoint = await serveMetrics(metrics.registry, options, (line) => process.stderr.write(`${line}\n`))
    metricsEndpoint = endpoint
    withdraw = announceInstance(options.dataDir, { kind: 'worker', url: null, metricsUrl: endpoint?.url ?? null, version: options.version, grid: { network, url: gridUrl } })
    process.stderr.write(
      `Worker "${name}" on ${network} with ${models.join(', ')} (${slots} slot${slots > 1 ? 's' : ''}, max ${maxLength} tokens, context ${maxContextLength}).\n`,
    )
    let interrupts = 0
    onStopSignals((cause) => {
      if (cause === 'SIGTERM') return worker.stop()
      interrupts++
      process.stderr.write(interrupts === 1 ? 'Finishing jobs in flight… press Ctrl-C again to cancel them.\n' : 'Cancelling jobs in flight.\n')
      worker.stop()
    })
    const exit = await worker.run()
    process.stdout.write(
      `Summary: ${summary.jobs} job${summary.jobs === 1 ? '' : 's'} (${summary.ok} ok), ${summary.tokens} tokens, rewards ${summary.rewards.toFixed(2)}\n`,
    )
    if (exit.reason === 'fatal') throw new UsageError(exit.message ?? 'The worker stopped because of an error.')
  } finally {
    withdraw()
    await metricsEndpoint?.close()
    await engine.close()
    db.close()
  }
}

/** What the identity signs this run, or why it signs nothing; a locked or damaged key only costs the signatures. */
function identityLine(identity: WorkerIdentityService, names: string[]): string {
  try {
    return identityCoverage(identity.status(), names)
  } catch (error) {
    return `Results go unsigned: ${error instanceof Error ? error.message : String(error)}`
  }
}

export function onEvent(event: WorkerEvent, summary: { jobs: number; ok: number; tokens: number; rewards: number }): void {
  if (event.type === 'state' && (event.state === 'backoff' || event.state === 'stopping') && event.detail) {
    process.stderr.write(`${event.detail}\n`)
  }
  if (event.type === 'job-finished' && !(event.record.network === 'aipg' && event.record.reward === null && event.record.state !== 'dropped')) {
    count(event.record, summary)
  }
  if (event.type === 'job-rewarded') count(event.record, summary)
}

/** AIPG jobs are printed once their reward (ack) arrives; Horde jobs already carry it. */
function count(record: JobRecord, summary: { jobs: number; ok: number; tokens: number; rewards: number }): void {
  summary.jobs++
  if (record.state === 'ok' || record.state === 'cancelled') summary.ok++
  summary.tokens += record.completionTokens
  summary.rewards += record.reward ?? 0
  const reward = record.reward === null ? '-' : record.reward.toFixed(2)
  process.stdout.write(
    `${record.jobId.slice(0, 8)}  ${record.model}  ${record.completionTokens} tokens  ${record.tokensPerSecond.toFixed(1)} tok/s  reward ${reward}  ${record.state}${record.error ? ` (${record.error})` : ''}\n`,
  )
}

export function parseNetwork(value: string | undefined): Network {
  if (value === undefined || value === 'aipg') return 'aipg'
  if (value === 'horde') return 'horde'
  throw new UsageError(`--network must be aipg or horde, not "${value}".`)
}

/** The grid to work for; the key travels to it, so the grid URL rules apply before anything is sent. */
export function readGridUrl(value: string | undefined, network: Network): string {
  if (value === undefined) return DEFAULT_GRID_URLS[network]
  const problem = gridUrlProblem(value)
  if (problem) throw new UsageError(`--grid-url: ${problem}.`)
  return value
}

export function readApiKey(file: string | undefined): string {
  if (!file) throw new UsageError('--api-key-file F is required (a file holding only your API key).')
  let key: string
  try {
    key = readFileSync(file, 'utf8').trim()
  } catch {
    throw new UsageError(`Cannot read the API key file ${file}.`)
  }
  if (!key || /\s/.test(key)) throw new UsageError(`The API key file ${file} must contain just the key.`)
  return key
}
