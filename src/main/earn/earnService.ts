import type { Events } from '../../shared/api.js'
import type {
  EarnHistory,
  EarnSettings,
  EarnSnapshot,
  GridNetwork,
  HistoryRange,
  JobLogEntry,
  MiningPolicySettings,
} from '../../shared/domain.js'
import { AppError } from '../../shared/result.js'
import type { WorkerSigner } from '../../grid/identity/workerSigner.js'
import type { Engine } from '../engine/engine.js'
import { Emitter, type EventListener } from '../lib/emitter.js'
import type { JobsRepository } from '../store/jobsRepository.js'
import type { SecretStore } from '../store/secretStore.js'
import type { SettingsRepository } from '../store/settingsRepository.js'
import { bundledDenRegistry, type DenRegistry } from '../../grid/denRegistry.js'
import { AccountPoller } from './accountPoller.js'
import { DenRegistrySource } from './denRegistrySource.js'
import { ModelRateSource } from './modelRate.js'
import { EarnSettingsStore } from './earnSettings.js'
import { bridgeAgent } from '../../grid/gridAuth.js'
import { GridCredentials } from './gridCredentials.js'
import { JobHistory } from './jobHistory.js'
import { KeyOrigins } from './keyOrigins.js'
import { Miner, type MinerDependencies } from './miner.js'
import { minerStatusOf } from '../../shared/minerStatus.js'
import type { MiningGate } from './miningGate.js'

/** What the Earn view is told. */
export type EarnEvents = Pick<Events, 'earn.snapshot'>

/** The parts the Earn view's service is made of; each owns its state. */
export interface EarnParts {
  settings: EarnSettingsStore
  credentials: GridCredentials
  account: AccountPoller
  miner: Miner
  history: JobHistory
  gate: MiningGate
  /** What the loaded model earns on AIPG; absent, the snapshot has no rate. */
  modelRate?: ModelRateSource
  /** How a saved key is kept (see SecretStore.storage). */
  keyStorage?: () => 'encrypted' | 'private-file'
  log?: (line: string) => void
}

/**
 * The Earn view's service: the miner's settings and policies, and one snapshot made of the miner, the
 * grid credentials and the account totals, pushed whenever one of them changes.
 */
export class EarnService {
  readonly miner: Miner
  readonly credentials: GridCredentials
  readonly account: AccountPoller
  private readonly settings: EarnSettingsStore
  private readonly jobHistory: JobHistory
  private readonly gate: MiningGate
  private readonly modelRate: ModelRateSource | null
  private readonly keyStorage: () => 'encrypted' | 'private-file'
  private readonly events: Emitter<EarnEvents>
  /** The saved key's state, kept rather than read from the secret store (a keychain) on every snapshot. */
  private key: Pick<EarnSnapshot, 'apiKeyLastFour' | 'apiKeyNeedsCheck'>

  constructor(parts: EarnParts) {
    this.miner = parts.miner
    this.credentials = parts.credentials
    this.account = parts.account
    this.settings = parts.settings
    this.jobHistory = parts.history
    this.gate = parts.gate
    this.modelRate = parts.modelRate ?? null
    this.keyStorage = parts.keyStorage ?? (() => 'private-file')
    this.events = new Emitter(parts.log)
    this.key = this.keyState()
    this.gate.setPolicy(this.settings.policy())
    this.miner.subscribe((name) => {
      // A job's row changes nothing the snapshot shows beyond the 'change' that came with it.
      if (name === 'job') return
      if (name === 'run') void this.account.refresh()
      this.emit()
    })
    this.account.onChange(() => this.emit())
    this.modelRate?.subscribe(() => this.emit())
  }

  snapshot(): EarnSnapshot {
    const miner = this.miner.snapshot()
    return {
      ...miner,
      status: minerStatusOf(miner.state),
      settings: this.settings.current(),
      ...this.key,
      apiKeyStorage: this.keyStorage(),
      policy: this.settings.policy(),
      account: this.account.snapshot(),
      modelRate: this.modelRate?.current() ?? null,
    }
  }

  /** Calls `listener` with every snapshot pushed; returns the function that stops it. */
  subscribe(listener: EventListener<EarnEvents>): () => void {
    return this.events.subscribe(listener)
  }

  /** One event only, typed (the tray redraws this way). */
  on<K extends keyof EarnEvents>(name: K, listener: (payload: EarnEvents[K]) => void): () => void {
    return this.events.on(name, listener)
  }

  configure(settings: EarnSettings): EarnSnapshot {
    if (this.miner.isBusy()) throw new AppError('BUSY', 'Stop earning before changing these settings.')
    const before = this.settings.current()
    const networkChanged = settings.network !== before.network || settings.gridUrl !== before.gridUrl
    this.settings.save(settings)
    this.key = this.keyState()
    if (networkChanged) this.account.reset()
    this.emit()
    if (networkChanged && this.key.apiKeyLastFour) void this.account.refresh()
    return this.snapshot()
  }

  /** Applies the policies at once (also while mining) and keeps them for the next start. */
  setPolicy(policy: MiningPolicySettings): EarnSnapshot {
    this.settings.savePolicy(policy)
    this.emit()
    this.gate.setPolicy(policy)
    return this.snapshot()
  }

  /** Checks the key against the grid as this worker, then stores it (see GridCredentials.save). */
  async setApiKey(network: GridNetwork, apiKey: string): Promise<EarnSnapshot> {
    if (this.miner.isBusy()) throw new AppError('BUSY', 'Stop earning before changing the API key.')
    await this.credentials.save(network, apiKey)
    if (network === this.settings.current().network) {
      this.key = this.keyState()
      this.account.reset()
      this.emit()
      void this.account.refresh()
    }
    return this.snapshot()
  }

  /** Asks the grid for the account's totals; when it cannot answer, says so once, without throwing. */
  async refreshAccount(): Promise<EarnSnapshot> {
    await this.account.refresh()
    return this.snapshot()
  }

  history(range: HistoryRange): EarnHistory {
    return this.jobHistory.history(range)
  }

  jobs(limit: number): JobLogEntry[] {
    return this.jobHistory.jobs(limit)
  }

  async start(): Promise<EarnSnapshot> {
    await this.miner.start()
    return this.snapshot()
  }

  stop(): EarnSnapshot {
    this.miner.stop()
    return this.snapshot()
  }

  /** Stops mining and polling for app shutdown. */
  async close(): Promise<void> {
    this.account.close()
    await this.miner.close()
  }

  private keyState(): Pick<EarnSnapshot, 'apiKeyLastFour' | 'apiKeyNeedsCheck'> {
    return { apiKeyLastFour: this.credentials.lastFour(), apiKeyNeedsCheck: this.credentials.needsCheck() }
  }

  private emit(): void {
    this.events.emit('earn.snapshot', this.snapshot())
  }
}

/** What the earn feature is built from. */
export interface EarnDependencies {
  engine: Engine
  ledger: JobsRepository
  settings: SettingsRepository
  secrets: SecretStore
  version: string
  /** The Cloudflare Origin CA for the AIPG worker socket. */
  extraCa?: string
  /** Closed while a policy or local use of the model holds mining; the miner takes no new grid jobs then. */
  gate: MiningGate
  /** The policies until the user saves their own (the local-use cooldown comes from the host options). */
  defaultPolicy?: MiningPolicySettings
  /** The grid names of a catalog or registry model loaded from `path` (null for other files: they use the file stem). */
  advertisedFor?: (path: string, registry?: DenRegistry) => { aipg: string; horde: string } | null
  /** AIPG's model registry; default the shipped one, updated from the grid by the account poller. */
  denRegistry?: DenRegistrySource
  /** The worker identity the miner signs with (§16.2). */
  signer?: WorkerSigner
  /** Bridge mode: a server the user already runs serves instead of the loaded model. */
  external?: MinerDependencies['external']
  now?: () => number
  fetch?: typeof fetch
  log?: (line: string) => void
}

/** Builds the earn feature from its parts. Nothing runs yet: the host starts the account poller. */
export function createEarnService(deps: EarnDependencies): EarnService {
  const agent = bridgeAgent(deps.version)
  const settings = new EarnSettingsStore(deps.settings, deps.defaultPolicy)
  const current = () => settings.current()
  const credentials = new GridCredentials({
    secrets: deps.secrets,
    origins: new KeyOrigins(deps.settings),
    settings: current,
    agent,
    extraCa: deps.extraCa,
    fetch: deps.fetch,
  })
  const registry = deps.denRegistry ?? new DenRegistrySource(bundledDenRegistry(), deps.log)
  const advertisedFor = (path: string) => deps.advertisedFor?.(path, registry.current()) ?? null
  const account = new AccountPoller({ credentials, settings: current, agent, registry, now: deps.now, fetch: deps.fetch, log: deps.log })
  const miner = new Miner({
    engine: deps.engine,
    ledger: deps.ledger,
    gate: deps.gate,
    settings: current,
    credentials,
    agent,
    extraCa: deps.extraCa,
    advertisedFor,
    signer: deps.signer,
    external: deps.external,
    now: deps.now,
    log: deps.log,
  })
  const modelRate = new ModelRateSource({
    engine: deps.engine,
    advertisedFor: (path, current) => deps.advertisedFor?.(path, current) ?? null,
    registry,
  })
  return new EarnService({
    settings,
    credentials,
    account,
    miner,
    history: new JobHistory(deps.ledger, deps.now),
    gate: deps.gate,
    modelRate,
    keyStorage: () => deps.secrets.storage?.() ?? 'private-file',
    log: deps.log,
  })
}
