import { dataPaths } from '../host/dataDir.js'
import { JobsRepository } from '../store/jobsRepository.js'
import { SettingsRepository } from '../store/settingsRepository.js'
import { openDatabase } from '../store/database.js'
import { advertisedLimits } from '../../grid/advertisedLimits.js'
import { advertisedModels } from '../../grid/advertisedNames.js'
import { BackendError } from '../../worker/bridge/backendError.js'
import type { BackendCapabilities, BackendConfig, BackendKind } from '../../worker/bridge/backendTypes.js'
import { openBridge, type Bridge } from '../../worker/bridge/bridge.js'
import { createWorker } from '../../worker/jobLoop.js'
import { formatReadinessTable } from '../../worker/readiness/reportTable.js'
import { runReadiness } from '../../worker/readiness/runner.js'
import { positiveInt, readKeyFile } from './options.js'
import { UsageError } from './usage.js'
import type { WorkerOptions } from './workerCommand.js'
import { capacityText, gridWorkerConfig, readGridFlags, runToSummary, cliReport } from './gridWorkerRun.js'
import { startWorkerAlerts } from './workerAlerts.js'
import { parseSeed } from './workerSelfTest.js'

/** The context advertised when the server does not say and the user does not either: what nearly every model holds. */
const FALLBACK_CONTEXT = 2048
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * `gridforge worker --backend …`: the grid worker in front of an inference server the user already runs.
 * No local model is loaded; the server's model is probed, advertised with what passed, and mining pauses
 * while the server does not serve.
 */
export async function bridgeWorker(options: WorkerOptions): Promise<void> {
  if (options['self-test']) return bridgeSelfTest(options)
  const flags = readGridFlags(options)
  const { network, name, slots } = flags
  const config = readBackend(options)
  if (config.kind === 'kobold' && network === 'aipg') {
    throw new UsageError('AIPG jobs are chats: use --backend openai (KoboldCpp serves the OpenAI API under /v1 too).')
  }
  const { bridge, ...limits } = await openProbed(config, options)
  // KoboldCpp lists its model as koboldcpp/<name>; the grid name adds that prefix itself.
  const advertised = { models: advertisedModels(network, config.model.replace(/^koboldcpp\//, '')), ...limits }

  const db = openDatabase(dataPaths(options.dataDir).database)
  const health = new AbortController()
  try {
    const report = cliReport()
    const worker = createWorker(gridWorkerConfig(flags, advertised, options), {
      engine: bridge.engine,
      ledger: new JobsRepository(db),
      gate: bridge.health.gate,
      logger: { info: (line) => process.stderr.write(`${line}\n`), warn: (line) => report.warn(line) },
    })
    bridge.health.onChange((state) =>
      process.stderr.write(state.serving ? 'The inference server is serving; taking jobs.\n' : `Paused: ${state.reason}\n`),
    )
    const checks = bridge.health.run(health.signal)
    process.stderr.write(
      `Worker "${name}" on ${network} with ${advertised.models.join(', ')} through ${config.url} (${capacityText(slots, advertised)}).\n`,
    )
    const log = (line: string) => process.stderr.write(`${line}\n`)
    const alerting = startWorkerAlerts({ settings: new SettingsRepository(db), worker, flags, version: options.version, log })
    await runToSummary(worker, report, async () => {
      health.abort()
      await Promise.all([checks, alerting.close()])
    })
  } finally {
    health.abort()
    db.close()
  }
}

/**
 * `gridforge worker --self-test --backend …`: the grid validators' canary families against the bridged
 * model, with the limits the worker would advertise. No grid is contacted.
 */
async function bridgeSelfTest(options: WorkerOptions): Promise<void> {
  const config = readBackend(options)
  if (config.kind === 'kobold') throw new UsageError("The self-test sends the validators' chats: use --backend openai.")
  const seed = options.seed === undefined ? undefined : parseSeed(options.seed)
  const { bridge, maxLength, maxContextLength } = await openProbed(config, options)
  process.stderr.write(
    `Grid readiness self-test of "${config.model}" through ${config.url} (context ${maxContextLength}, max ${maxLength} tokens); no grid is contacted.\n`,
  )
  const report = await runReadiness({
    engine: bridge.engine,
    limits: { maxLength, maxContextLength },
    seed,
    onResult: (result, done, total) => process.stderr.write(`[${done}/${total}] ${result.family}: ${result.verdict}\n`),
  })
  process.stdout.write(`${formatReadinessTable(report)}\n`)
  if (!report.ready) process.exitCode = 1
}

/** Probes the server's model and works out the limits to advertise from what it reports and what the user asked. */
async function openProbed(
  config: BackendConfig,
  options: WorkerOptions,
): Promise<{ bridge: Bridge; maxLength: number; maxContextLength: number }> {
  const askedContext = positiveInt(options['max-context'], 'max-context', null)
  let bridge: Bridge
  try {
    bridge = await openBridge(config)
  } catch (error) {
    if (error instanceof BackendError) throw new UsageError(error.message)
    throw error
  }
  const serverContext = bridge.capabilities.contextLength ?? askedContext ?? FALLBACK_CONTEXT
  const limits = advertisedLimits(
    { maxLength: positiveInt(options['max-length'], 'max-length', null), maxContextLength: askedContext },
    serverContext,
  )
  process.stderr.write(`${capabilityLine(config, bridge.capabilities, askedContext)}\n`)
  return { bridge, ...limits }
}

function readBackend(options: WorkerOptions): BackendConfig {
  const kind = parseKind(options.backend)
  const url = options['backend-url']
  if (!url)
    throw new UsageError(
      `--backend-url URL is required (${kind === 'openai' ? 'the API root with /v1, e.g. http://127.0.0.1:11434/v1' : "the KoboldAI server's address, e.g. http://127.0.0.1:5001"}).`,
    )
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UsageError(`--backend-url "${url}" is not a web address.`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError('--backend-url must start with http:// or https://.')
  // A key in the URL would be printed with it; it belongs in the key file.
  if (parsed.username || parsed.password)
    throw new UsageError('--backend-url must not contain a user or password; put the key in --backend-key-file.')
  const model = options['backend-model']?.trim()
  if (!model) throw new UsageError('--backend-model NAME is required (the model name the server lists).')
  const key = readBackendKey(options['backend-key-file'])
  // The key would cross the network in the clear.
  if (key && parsed.protocol === 'http:' && !LOOPBACK_HOSTS.has(parsed.hostname)) {
    throw new UsageError('--backend-key-file: the key would be sent unencrypted; use https:// for a server on another machine.')
  }
  return { kind, url: url.replace(/\/+$/, ''), model, ...(key ? { key } : {}) }
}

function parseKind(value: string | undefined): BackendKind {
  if (value === 'openai' || value === 'kobold') return value
  throw new UsageError(`--backend must be openai or kobold, not "${value}".`)
}

function readBackendKey(file: string | undefined): string | undefined {
  return file ? readKeyFile(file, 'backend key') : undefined
}

/** What the probe found, in one line: the user sees what is advertised and why. */
function capabilityLine(config: BackendConfig, capabilities: BackendCapabilities, askedContext: number | null): string {
  const yes = (value: boolean) => (value ? 'yes' : 'no')
  const context = capabilities.contextLength
    ? `context ${capabilities.contextLength} (from ${capabilities.contextSource})`
    : askedContext
      ? `context ${askedContext} (from --max-context; the server does not report it)`
      : `context ${FALLBACK_CONTEXT} (the server does not report it; set --max-context)`
  const features = config.kind === 'openai' ? `, tools ${yes(capabilities.tools)}, response_format ${yes(capabilities.responseFormat)}` : ''
  return `Backend ${config.kind} "${config.model}": streaming ${yes(capabilities.streaming)}${features}, ${context}.`
}
