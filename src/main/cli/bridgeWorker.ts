import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { dataPaths } from '../host/dataDir.js'
import { JobsRepository } from '../store/jobsRepository.js'
import { SettingsRepository } from '../store/settingsRepository.js'
import { openDatabase } from '../store/database.js'
import { advertisedLimits } from '../../grid/advertisedLimits.js'
import { bundledDenRegistry, type DenRegistry } from '../../grid/denRegistry.js'
import type { BridgeGridNames } from '../../shared/bridge.js'
import { loadCatalog } from '../models/catalog.js'
import { BackendError } from '../../worker/bridge/backendError.js'
import type { BackendCapabilities, BackendConfig, BackendKind } from '../../worker/bridge/backendTypes.js'
import { openBridge, type Bridge } from '../../worker/bridge/bridge.js'
import { serverModelNames } from '../../worker/bridge/serverModelNames.js'
import { allOf } from '../../worker/allWorkers.js'
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
  const { network } = flags
  const file = options['backends-file']
  const wanted = file ? readBackendsFile(file, options, flags.name) : [{ options, name: flags.name, label: '' }]
  const served: Served[] = []
  const registry = bundledDenRegistry().registry
  const catalog = loadCatalog()
  for (const { options: entry, name, label } of wanted) {
    const config = withLabel(label, () => readBackend(entry))
    if (config.kind === 'kobold' && network === 'aipg') {
      throw new UsageError(`${label}AIPG jobs are chats: use --backend openai (KoboldCpp serves the OpenAI API under /v1 too).`)
    }
    const names = withLabel(label, () => gridNamesFor(config.model, entry['grid-model'], catalog, registry))
    const { bridge, ...limits } = await withLabelAsync(label, () => openProbed(config, entry))
    const advertised = { models: [names[network]], ...limits }
    if (network === 'aipg') process.stderr.write(`${label}${namesLine(names)}\n`)
    served.push({ config, bridge, advertised, flags: { ...flags, name, slots: positiveInt(entry.slots, 'slots', 1) } })
  }

  const db = openDatabase(dataPaths(options.dataDir).database)
  const health = new AbortController()
  try {
    const report = cliReport()
    const ledger = new JobsRepository(db)
    const logger = { info: (line: string) => process.stderr.write(`${line}\n`), warn: (line: string) => report.warn(line) }
    const checks: Array<Promise<void>> = []
    const workers = served.map(({ config, bridge, advertised, flags: own }) => {
      const worker = createWorker(gridWorkerConfig(own, advertised, options), {
        engine: bridge.engine,
        ledger,
        gate: bridge.health.gate,
        logger,
      })
      const who = served.length > 1 ? `"${config.model}": ` : ''
      bridge.health.onChange((state) =>
        process.stderr.write(state.serving ? `${who}The inference server is serving; taking jobs.\n` : `${who}Paused: ${state.reason}\n`),
      )
      checks.push(bridge.health.run(health.signal))
      process.stderr.write(
        `Worker "${own.name}" on ${network} with ${advertised.models.join(', ')} through ${config.url} (${capacityText(own.slots, advertised)}).\n`,
      )
      return worker
    })
    const log = (line: string) => process.stderr.write(`${line}\n`)
    const all = allOf(workers)
    const alerting = startWorkerAlerts({ settings: new SettingsRepository(db), worker: all, flags, version: options.version, log })
    await runToSummary(all, report, async () => {
      health.abort()
      await Promise.all([...checks, alerting.close()])
    })
  } finally {
    health.abort()
    db.close()
  }
}

/** One probed server and the worker that serves it. */
interface Served {
  config: BackendConfig
  bridge: Bridge
  advertised: { models: string[]; maxLength: number; maxContextLength: number }
  flags: ReturnType<typeof readGridFlags>
}

const backendsFileSchema = z
  .array(
    z.strictObject({
      backend: z.enum(['openai', 'kobold']),
      url: z.string(),
      model: z.string(),
      gridModel: z.string().optional(),
      keyFile: z.string().optional(),
      slots: z.number().int().min(1).max(64).optional(),
      maxLength: z.number().int().min(1).optional(),
      maxContext: z.number().int().min(1).optional(),
    }),
  )
  .min(1)
  .max(16)

/**
 * `--backends-file F`: several servers (or several models of one) at once, each with its own slots and a
 * worker name of its own on the grid (`<name>-<model>`), on one ledger and one report.
 */
function readBackendsFile(file: string, options: WorkerOptions, name: string) {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    throw new UsageError(`--backends-file ${file} is not a readable JSON file.`)
  }
  const parsed = backendsFileSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const [index, field] = issue?.path ?? []
    const where = typeof index === 'number' ? `entry ${index + 1}${field === undefined ? '' : `, ${String(field)}`}: ` : ''
    throw new UsageError(
      `--backends-file ${file}: ${where}${issue?.message ?? 'not a list of backends'} (a list of {backend, url, model, gridModel?, keyFile?, slots?, maxLength?, maxContext?}).`,
    )
  }
  const entries = parsed.data.map((entry, index) => ({
    name: `${name}-${entry.model.replace(/^koboldcpp\//, '').replace(/[^\w.-]+/g, '-')}`,
    label: `--backends-file entry ${index + 1}: `,
    options: {
      ...options,
      backend: entry.backend,
      'backend-url': entry.url,
      'backend-model': entry.model,
      'grid-model': entry.gridModel,
      'backend-key-file': entry.keyFile,
      slots: entry.slots === undefined ? options.slots : String(entry.slots),
      'max-length': entry.maxLength === undefined ? options['max-length'] : String(entry.maxLength),
      'max-context': entry.maxContext === undefined ? options['max-context'] : String(entry.maxContext),
    },
  }))
  const names = entries.map((entry) => entry.name)
  const twice = names.find((entry, index) => names.indexOf(entry) !== index)
  if (twice)
    throw new UsageError(`--backends-file ${file}: two entries serve the same model (worker name "${twice}"); list each model once.`)
  return entries
}

/** A usage error of one entry of the backends file says which entry. */
function withLabel<T>(label: string, read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (label && error instanceof UsageError) throw new UsageError(`${label}${error.message}`)
    throw error
  }
}

async function withLabelAsync<T>(label: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (label && error instanceof UsageError) throw new UsageError(`${label}${error.message}`)
    throw error
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

/** The grid names of the server's model; a `--grid-model` the registry does not have is a usage error, not a silent rename. */
function gridNamesFor(model: string, chosen: string | undefined, catalog: ReturnType<typeof loadCatalog>, registry: DenRegistry) {
  const picked = chosen?.trim().toLowerCase()
  if (picked && !registry.has(picked))
    throw new UsageError(`--grid-model "${picked}" is not in AIPG's model registry (it lists ${[...registry.keys()].join(', ')}).`)
  return serverModelNames(model, catalog, registry, picked ?? null)
}

/** What AIPG will see and what den pays for it; a model that may be a registry model says how to claim it. */
function namesLine(names: BridgeGridNames): string {
  if (names.registered) return `Advertised on AIPG as the registry model "${names.aipg}" (den ×${names.multiplier}).`
  const maybe = names.suggestions.length ? `; if it is ${names.suggestions.join(' or ')}, pass --grid-model NAME` : ''
  return `Advertised on AIPG as "${names.aipg}", not a registry name (den ×1)${maybe}.`
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
