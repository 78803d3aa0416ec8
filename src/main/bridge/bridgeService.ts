import {
  bridgeUrlProblem,
  keyWouldLeak,
  type BridgeConfigureRequest,
  type BridgeGridNames,
  type BridgeServerRequest,
  type BridgeServersView,
  type BridgeSettingsView,
  type BridgeTestResult,
  type FoundServer,
} from '../../shared/bridge.js'
import type { GridNetwork } from '../../shared/domain.js'
import { SERVER_NAME } from '../../shared/gridChat.js'
import type { CatalogEntry } from '../../shared/models.js'
import type { DenRegistry } from '../../grid/denRegistry.js'
import { AppError } from '../../shared/result.js'
import { BackendError } from '../../worker/bridge/backendError.js'
import { systemClock, type GenerationEngine, type JobGate } from '../../worker/ports.js'
import { DEFAULT_TIMEOUTS, type BackendCapabilities, type BackendConfig } from '../../worker/bridge/backendTypes.js'
import { koboldLoadedModel, openAiModels } from '../../worker/bridge/backendServing.js'
import { openBridge, openChatEngine } from '../../worker/bridge/bridge.js'
import type { HealthIntervals } from '../../worker/bridge/backendHealth.js'
import { findServers } from '../../worker/bridge/serverFinder.js'
import { serverModelNames } from '../../worker/bridge/serverModelNames.js'
import { Emitter, type EventListener } from '../lib/emitter.js'
import type { SettingsRepository } from '../store/settingsRepository.js'
import type { SecretStore } from '../store/secretStore.js'
import {
  BridgeSettingsStore,
  type BridgeServedModel,
  type BridgeServer,
  type BridgeServers,
  type BridgeSettings,
} from './bridgeSettings.js'
import { inFormWords } from './formWords.js'
import { serverReplySource, type ServerReplySource } from './serverReplySource.js'

/** The bridge's events: its settings or its server's status changed (never the key). */
export interface BridgeEvents {
  'bridge.settings': BridgeSettingsView
  'bridge.servers': BridgeServersView
}

/** The server the miner runs its worker on while bridge mode is on. */
export interface OpenedBackend {
  engine: GenerationEngine
  /** Closed while the server does not serve the model; its reason says why. */
  gate: JobGate
  /** The model name as the server lists it (KoboldCpp's `koboldcpp/` prefix left out: the grid name adds it). */
  model: string
  /** The names it is advertised under: a registry model's exact registry name on AIPG (§16.5). */
  names: { aipg: string; horde: string }
  /** The context the server says it runs the model with; null when it does not say. */
  contextLength: number | null
  /** This model's jobs at once and longest reply; null: the Earn settings'. */
  slots: number | null
  maxLength: number | null
  /** Stops the health checks; the miner calls it when its run ends. */
  close(): void
}

export interface BridgeServiceDependencies {
  settings: Pick<SettingsRepository, 'get' | 'set'>
  secrets: SecretStore
  /** True while the miner runs: the server it uses stays as it is then. */
  busy: () => boolean
  /** The den registry and the catalog the embedded engine names its models by; a bridged model is named the same way. */
  registry: () => DenRegistry
  catalog: () => readonly CatalogEntry[]
  fetch?: typeof fetch
  /** "Find servers on this PC": which loopback ports, and how long each may take (tests use their own). */
  finder?: Parameters<typeof findServers>[0]
  /** How often the miner's server is checked (tests shorten it). */
  intervals?: HealthIntervals
  log?: (line: string) => void
}

/**
 * Bridge mode for the app: which server the miner uses (Settings and the Earn view), "Test connection",
 * "Find servers on this PC", and the server's engine and health gate when the miner starts.
 */
export class BridgeService {
  private readonly store: BridgeSettingsStore
  private readonly events: Emitter<BridgeEvents>
  /** What the miner's servers did last: the latest of any, and each server's own (by id). */
  private status: BridgeSettingsView['status'] = null
  private readonly statuses = new Map<string, NonNullable<BridgeSettingsView['status']>>()
  /** The saved server probed for chat, kept until the settings change or it fails. */
  private chatEngine: Promise<GenerationEngine> | null = null

  constructor(private readonly deps: BridgeServiceDependencies) {
    this.store = new BridgeSettingsStore(deps.settings, deps.secrets)
    this.events = new Emitter(deps.log)
  }

  subscribe(listener: EventListener<BridgeEvents>): () => void {
    return this.events.subscribe(listener)
  }

  settings(): BridgeSettingsView {
    const saved = this.store.current()
    return { ...saved, names: this.namesOf(saved.model, saved.gridModel), hasKey: this.store.key() !== null, status: this.status }
  }

  configure(request: BridgeConfigureRequest): BridgeSettingsView {
    if (this.deps.busy()) throw new AppError('BUSY', 'Stop earning before changing the server it uses.')
    const { mode, kind, url, model, apiKey, gridModel = null } = request
    if (mode === 'server' && !model.trim())
      throw new AppError('BAD_REQUEST', 'Choose the model the server should serve (Test connection lists them).')
    const key = apiKey === undefined ? this.store.key() : apiKey
    if (key && keyWouldLeak(url))
      throw new AppError('BAD_REQUEST', 'The API key would be sent unencrypted: use https:// for a server on another machine.')
    this.store.setKey(apiKey)
    const picked = gridModel?.trim().toLowerCase() || null
    if (picked && !this.deps.registry().has(picked))
      throw new AppError('BAD_REQUEST', `"${picked}" is not in AIPG's model registry; choose one of its names or leave it automatic.`)
    this.store.save({ mode, kind, url, model: model.trim(), gridModel: picked })
    this.status = null
    this.statuses.clear()
    this.chatEngine = null
    return this.changed()
  }

  /** The saved server list (never a key). */
  servers(): BridgeServers {
    return this.store.list()
  }

  /** The list as the panel shows it: per server whether a key is stored and what it did last (never the key). */
  serversView(): BridgeServersView {
    const { mode, servers } = this.store.list()
    return {
      mode,
      servers: servers.map((server) => ({
        ...server,
        hasKey: this.store.keyOf(server.id) !== null,
        names: server.models.map((model) => serverModelNames(model.name, this.deps.catalog(), this.deps.registry(), model.gridModel)),
        status: this.statuses.get(server.id) ?? null,
      })),
    }
  }

  /**
   * Saves the server list the miner runs all of (the first server is chat's "My server" and the local
   * API's). `keys` sets a server's key by its id (null forgets it); a server removed takes its key along.
   */
  saveServers(list: BridgeServers, keys: Record<string, string | null> = {}): BridgeServersView {
    if (this.deps.busy()) throw new AppError('BUSY', 'Stop earning before changing the servers it uses.')
    const next = { ...list, servers: list.servers.map((server) => ({ ...server, url: server.url.trim().replace(/\/+$/, '') })) }
    if (next.mode === 'server' && next.servers.length === 0)
      throw new AppError('BAD_REQUEST', 'Add the server to earn through (Find servers on this PC, or Add server).')
    for (const [index, server] of next.servers.entries()) {
      if (next.mode === 'server' && server.models.length === 0)
        throw new AppError('BAD_REQUEST', `Server ${index + 1}: choose the model it should serve (Test connection lists them).`)
      const problem = bridgeUrlProblem(server.url)
      if (problem) throw new AppError('BAD_REQUEST', `Server ${index + 1}: ${problem}.`)
      const key = server.id in keys ? keys[server.id] : this.store.keyOf(server.id)
      if (key && keyWouldLeak(server.url))
        throw new AppError(
          'BAD_REQUEST',
          `Server ${index + 1}: the API key would be sent unencrypted; use https:// for a server on another machine.`,
        )
      const unknown = server.models.find((model) => model.gridModel && !this.deps.registry().has(model.gridModel.toLowerCase()))
      if (unknown)
        throw new AppError(
          'BAD_REQUEST',
          `"${unknown.gridModel}" is not in AIPG's model registry; choose one of its names or leave it automatic.`,
        )
    }
    try {
      this.store.saveList(next)
    } catch (error) {
      throw new AppError('BAD_REQUEST', (error as Error).message)
    }
    for (const [id, key] of Object.entries(keys)) this.store.setKeyOf(id, key)
    this.status = null
    this.statuses.clear()
    this.chatEngine = null
    this.changed()
    return this.serversView()
  }

  /** "Test connection": lists the server's models and, with a model chosen, probes it the way jobs use it. */
  async test(request: BridgeServerRequest): Promise<BridgeTestResult> {
    const storedKey = request.id === undefined ? undefined : this.store.keyOf(request.id)
    const config = this.configOf({ kind: request.kind, url: request.url, model: request.model.trim() }, request.apiKey ?? storedKey)
    if (config.key && keyWouldLeak(config.url))
      return {
        ok: false,
        message: 'The API key would be sent unencrypted: use https:// for a server on another machine.',
        models: [],
        names: null,
      }
    let models: string[] = []
    try {
      models = await this.models(config)
    } catch (error) {
      return { ok: false, message: this.sentence(error), models: [], names: null }
    }
    if (!config.model) {
      const message = models.length
        ? `The server answers and serves ${models.length === 1 ? 'one model' : `${models.length} models`}; choose one.`
        : 'The server answers but has no model loaded.'
      return { ok: models.length > 0, message, models, names: null }
    }
    const names = serverModelNames(config.model, this.deps.catalog(), this.deps.registry(), request.gridModel ?? null)
    try {
      const bridge = await openBridge(config, { fetch: this.deps.fetch })
      const message = `Connected: "${config.model}" answers (${capabilityWords(config, bridge.capabilities)}). ${namesWords(names)}`
      return { ok: true, message, models, names }
    } catch (error) {
      return { ok: false, message: this.sentence(error), models, names }
    }
  }

  /**
   * Chat replies from the saved server ("My server"), whether or not the miner uses it. The first reply
   * probes it; later ones reuse what the probe found until the settings change or the server fails.
   */
  replySource(): ServerReplySource {
    const saved = this.store.current()
    const config = this.configOf(saved, undefined)
    return serverReplySource(
      saved,
      () => {
        this.chatEngine ??= openChatEngine(config, { fetch: this.deps.fetch }).then(({ engine }) => engine)
        return this.chatEngine
      },
      () => (this.chatEngine = null),
    )
  }

  /**
   * The saved server's model for the local API (`/v1/chat/completions` with its id as `model`); null while
   * none is saved. It answers like chat: the same probe, the server's failures as their sentence.
   */
  servedModel(): { id: string; generate: ServerReplySource['generate'] } | null {
    const saved = this.store.current()
    if (!saved.model || saved.kind !== 'openai') return null
    const source = this.replySource()
    return { id: saved.model, generate: (request, handlers) => source.generate(request, handlers) }
  }

  /** The miner's server for the grid readiness self-test, while bridge mode is on (OpenAI servers: the tests are chats). */
  readinessModel(): { id: string; modelName: string; open(): Promise<{ engine: GenerationEngine; contextLength: number | null }> } | null {
    const saved = this.store.current()
    if (saved.mode !== 'server' || !saved.model || saved.kind !== 'openai') return null
    const config = this.configOf(saved, undefined)
    return {
      id: `${saved.url}|${saved.model}`,
      modelName: `${saved.model} (${SERVER_NAME})`,
      open: () =>
        openChatEngine(config, { fetch: this.deps.fetch }).then(({ engine, capabilities }) => ({
          engine,
          contextLength: capabilities.contextLength,
        })),
    }
  }

  /** "Find servers on this PC": the usual loopback ports only, each for a second and a half. */
  find(): Promise<FoundServer[]> {
    return findServers({ fetch: this.deps.fetch, ...this.deps.finder })
  }

  /**
   * Every saved server's models as the miner's engines, probed and with their health checks running. Throws
   * the sentence that says why a server cannot serve (naming it when there are several); none is left open then.
   */
  async open(network: GridNetwork): Promise<OpenedBackend[]> {
    const { mode, servers } = this.store.list()
    if (mode !== 'server') throw new AppError('BAD_REQUEST', "The app's own model serves: choose “Use a server I already run” first.")
    const wanted = servers.flatMap((server) => server.models.map((model) => ({ server, model })))
    if (wanted.length === 0) throw new AppError('BAD_REQUEST', 'Choose the model the server should serve (Test connection lists them).')
    const opened: OpenedBackend[] = []
    try {
      for (const { server, model } of wanted) {
        const who = wanted.length > 1 ? `${server.url}: ` : ''
        opened.push(await this.openOne(network, { ...server, model: model.name }, model, who))
      }
    } catch (error) {
      opened.forEach((backend) => backend.close())
      throw error
    }
    return opened
  }

  private async openOne(network: GridNetwork, server: BridgeServer & { model: string }, served: BridgeServedModel, who: string) {
    if (server.kind === 'kobold' && network === 'aipg')
      throw new AppError(
        'BAD_REQUEST',
        `${who}AIPG jobs are chats: choose an OpenAI-compatible server (KoboldCpp serves that API under /v1 too).`,
      )
    const config = this.configOf(server, this.store.keyOf(server.id))
    let bridge: Awaited<ReturnType<typeof openBridge>>
    try {
      bridge = await openBridge(config, { fetch: this.deps.fetch, intervals: this.deps.intervals })
    } catch (error) {
      this.setStatus(server.id, { serving: false, message: `${who}${this.sentence(error)}` }, `${server.url}: ${this.sentence(error)}`)
      throw new AppError('NO_MODEL', `${who}${this.sentence(error)}`)
    }
    const checks = new AbortController()
    const off = bridge.health.onChange((state) =>
      this.setStatus(
        server.id,
        state.serving
          ? { serving: true, message: servingWords(config) }
          : { serving: false, message: `${who}${inFormWords(state.reason)}` },
        state.serving ? servingWords(config) : `${server.url}: ${inFormWords(state.reason)}`,
      ),
    )
    await bridge.health.check()
    const running = bridge.health.run(checks.signal)
    return {
      engine: bridge.engine,
      gate: { ...bridge.health.gate, reason: () => inFormWords(bridge.health.gate.reason?.() ?? '') || null },
      model: config.model.replace(/^koboldcpp\//, ''),
      names: serverModelNames(config.model, this.deps.catalog(), this.deps.registry(), served.gridModel),
      contextLength: bridge.capabilities.contextLength,
      slots: served.slots,
      maxLength: served.maxLength,
      close: () => {
        checks.abort()
        off()
        void running
      },
    }
  }

  private namesOf(model: string, gridModel: string | null): BridgeGridNames | null {
    if (!model.trim()) return null
    return serverModelNames(model.trim(), this.deps.catalog(), this.deps.registry(), gridModel)
  }

  private async models(config: BackendConfig): Promise<string[]> {
    const target = { config, timeouts: { ...DEFAULT_TIMEOUTS, probeMs: 10_000 }, clock: systemClock, fetch: this.deps.fetch }
    if (config.kind === 'openai') return (await openAiModels(target)).map((model) => model.id)
    const loaded = await koboldLoadedModel(target)
    return loaded && loaded !== 'inactive' ? [loaded] : []
  }

  private configOf(server: Pick<BridgeSettings, 'kind' | 'url' | 'model'>, apiKey: string | null | undefined): BackendConfig {
    const key = apiKey === undefined ? this.store.key() : apiKey
    return { kind: server.kind, url: server.url, model: server.model, ...(key ? { key } : {}) }
  }

  /** A failure in one sentence for the form; anything that is not the server's own answer is logged, not shown. */
  private sentence(error: unknown): string {
    if (error instanceof BackendError) return inFormWords(error.message)
    this.deps.log?.(`bridge: ${error instanceof Error ? error.message : String(error)}`)
    return 'The server could not be checked; see the log for details.'
  }

  /** `own` is the server's line in its own card, which always names it (the latest status names it only among several). */
  private setStatus(id: string, status: NonNullable<BridgeSettingsView['status']>, own: string): void {
    this.status = status
    this.statuses.set(id, { serving: status.serving, message: own })
    this.changed()
  }

  private changed(): BridgeSettingsView {
    const view = this.settings()
    this.events.emit('bridge.settings', view)
    this.events.emit('bridge.servers', this.serversView())
    return view
  }
}

/** What AIPG will see, and whether den pays the model's multiplier. */
function namesWords(names: BridgeGridNames): string {
  if (names.registered) return `On AIPG it is the registry model "${names.aipg}" (den ×${names.multiplier}).`
  const maybe = names.suggestions.length ? `; if it is ${names.suggestions.map((name) => `"${name}"`).join(' or ')}, choose that name` : ''
  return `On AIPG it goes out as "${names.aipg}", which is not in the model registry (den ×1)${maybe}.`
}

const servingWords = (config: BackendConfig) => `Serving "${config.model}" from ${config.url}.`

function capabilityWords(config: BackendConfig, capabilities: BackendCapabilities): string {
  const yes = (value: boolean) => (value ? 'yes' : 'no')
  const context = capabilities.contextLength ? `context ${capabilities.contextLength}` : 'context not reported'
  const features = config.kind === 'openai' ? `, tools ${yes(capabilities.tools)}, JSON schema ${yes(capabilities.responseFormat)}` : ''
  return `streaming ${yes(capabilities.streaming)}${features}, ${context}`
}
