import { EngineSupervisor } from '../engine/engineSupervisor.js'
import { forkLauncher } from '../engine/forkLauncher.js'
import { dataPaths } from '../host/dataDir.js'
import { JobsRepository } from '../store/jobsRepository.js'
import { SettingsRepository } from '../store/settingsRepository.js'
import { openDatabase } from '../store/database.js'
import { advertisedLimits } from '../../grid/advertisedLimits.js'
import { advertisedModels } from '../../grid/advertisedNames.js'
import { createWorker } from '../../worker/jobLoop.js'
import { slotWorkerNames } from '../../shared/slotNames.js'
import { identityCoverage } from '../identity/identityCoverage.js'
import { WorkerIdentityService } from '../identity/workerIdentityService.js'
import { headlessSecrets } from './headlessSecrets.js'
import { systemGpuReader } from '../lib/gpuReadings.js'
import { RigMetrics } from '../metrics/rigMetrics.js'
import { metricsPort, serveMetrics, type MetricsFlags } from './metricsFlags.js'
import { announceInstance } from './runningInstance.js'
import { catalogNamesFor } from '../models/advertisedNames.js'
import { loadCatalog } from '../models/catalog.js'
import { ModelsRepository } from '../store/modelsRepository.js'
import { modelStem, resolveModelArgument } from './modelArgument.js'
import { positiveInt } from './options.js'
import { startWorkerAlerts } from './workerAlerts.js'
import { workerSelfTest } from './workerSelfTest.js'
import { capacityText, gridWorkerConfig, readGridFlags, runToSummary, cliReport } from './gridWorkerRun.js'

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
  /** The AIPG registry name of the bridged model, when its server name does not match one for sure. */
  'grid-model'?: string
  /** Several bridged servers or models at once (a JSON list). */
  'backends-file'?: string
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
  const flags = readGridFlags(options)
  const { network, gridUrl, name, slots } = flags
  const paths = dataPaths(options.dataDir)
  const modelPath = resolveModelArgument(options.model, paths.models)
  metricsPort(options['metrics-port'])

  const log = (line: string) => process.stderr.write(`${line}\n`)
  const identity =
    network === 'aipg' ? new WorkerIdentityService({ secrets: headlessSecrets(options.dataDir, 'gridforge worker', log), log }) : undefined
  if (identity) log(identityLine(identity, slotWorkerNames(name, slots)))

  const db = openDatabase(paths.database)
  const ledger = new JobsRepository(db)
  const maxContext = positiveInt(options['max-context'], 'max-context', null)
  // Each slot's sequence holds the context the worker advertises (jobs are clamped to it), no more.
  const engine = new EngineSupervisor({
    launch: forkLauncher(options.engineEntry),
    threads: positiveInt(options.threads, 'threads', null),
    sequences: slots,
    contextSize: maxContext,
  })
  let metricsEndpoint: { close(): Promise<void> } | null = null
  let withdraw: () => void = () => undefined
  try {
    const model = await engine.load(modelPath)
    const limits = advertisedLimits(
      {
        maxLength: positiveInt(options['max-length'], 'max-length', 512),
        maxContextLength: maxContext ?? model.contextSize,
      },
      model.contextSize,
    )
    const models = advertisedModels(network, modelStem(modelPath), catalogNamesFor(modelPath, new ModelsRepository(db), loadCatalog()))
    const advertised = { models, ...limits }
    const report = cliReport()
    const worker = createWorker(gridWorkerConfig(flags, advertised, options), {
      engine,
      ledger,
      logger: { info: log, warn: (line) => report.warn(line) },
      signer: identity,
    })
    const metrics = new RigMetrics({
      version: options.version,
      gpu: systemGpuReader(),
      hardware: () => engine.hardware(),
      modelName: () => models[0] ?? modelStem(modelPath),
    })
    metrics.setNetwork(network)
    metrics.observeEngine(engine.snapshot())
    engine.subscribe((snapshot) => metrics.observeEngine(snapshot))
    worker.subscribe((event) => {
      metrics.observeWorker(event)
      if (event.type === 'state') metrics.setMinerState(event.state === 'stopped' ? 'off' : event.state, null)
    })
    const endpoint = await serveMetrics(metrics.registry, options, (line) => process.stderr.write(`${line}\n`))
    metricsEndpoint = endpoint
    withdraw = announceInstance(options.dataDir, {
      kind: 'worker',
      url: null,
      metricsUrl: endpoint?.url ?? null,
      version: options.version,
      grid: { network, url: gridUrl },
    })
    process.stderr.write(`Worker "${name}" on ${network} with ${models.join(', ')} (${capacityText(slots, advertised)}).\n`)
    const alerting = startWorkerAlerts({ settings: new SettingsRepository(db), worker, flags, version: options.version, engine, log })
    await runToSummary(worker, report, () => alerting.close())
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
