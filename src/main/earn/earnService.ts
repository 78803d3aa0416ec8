import { hostname } from 'node:os'
import { z } from 'zod'
import type {
  AccountTotals,
  EarnHistory,
  EarnSettings,
  EarnSnapshot,
  EarnState,
  EarnStatus,
  GridNetwork,
  HistoryRange,
  JobLogEntry,
  MiningPolicySettings,
} from '../../shared/domain.js'
import { miningPolicySchema } from '../../shared/miningPolicySchema.js'
import { AppError } from '../../shared/result.js'
import { createWorker, type Worker, type WorkerEvent } from '../../worker/jobLoop.js'
import type { Engine } from '../engine/engine.js'
import type { HostEvents } from '../host/events.js'
import type { JobsRepository } from '../store/jobsRepository.js'
import type { SettingsRepository } from '../store/settingsRepository.js'
import { advertisedModels, bridgeAgent } from './gridDefaults.js'
import { checkApiKey } from './apiKeyCheck.js'
import { buildHistory, historyStart } from './earnHistory.js'
import { fetchAccountTotals, GridAccountError } from './gridAccount.js'
import { gridUrlFor, KeyOrigins, originOf } from './keyOrigins.js'
import type { MiningGate } from './miningGate.js'
import { DEFAULT_POLICY } from './miningPolicy.js'
import type { SecretStore } from '../store/secretStore.js'

const SETTINGS_KEY = 'earn.settings'
const POLICY_KEY = 'earn.policy'
/** Account totals are asked for this often while a key is stored (and on demand). */
const ACCOUNT_REFRESH_MS = 5 * 60_000
const NO_ACCOUNT: AccountTotals = { state: 'unknown', totals: null, message: null, checkedAt: null }
/** Token counts of running jobs reach the UI at most this often. */
const PROGRESS_PUSH_MS = 250

const settingsSchema = z.object({
  network: z.enum(['aipg', 'horde']),
  gridUrl: z.string(),
  workerName: z.string().min(1),
  slots: z.number().int().min(1).max(8),
  maxLength: z.number().int().min(16),
  maxContextLength: z.number().int().min(256),
})

function defaultSettings(): EarnSettings {
  const host = hostname().replace(/[^\w-]/g, '').slice(0, 40) || 'rig'
  return { network: 'aipg', gridUrl: '', workerName: `GridForge-${host}`, slots: 1, maxLength: 512, maxContextLength: 4096 }
}

/** What the miner needs from the host. */
export interface EarnDependencies {
  engine: Engine
  ledger: JobsRepository
  settings: SettingsRepository
  secrets: SecretStore
  events: HostEvents
  version: string
  /** The Cloudflare Origin CA for the AIPG worker socket. */
  extraCa?: string
  /** Closed while a policy or local use of the model holds mining; the miner takes no new grid jobs then. */
  gate: MiningGate
  /** The policies until the user saves their own (the local-use cooldown comes from the host options). */
  defaultPolicy?: MiningPolicySettings
  /** The grid names of a catalog model loaded from `path` (null for other files: they use the file stem). */
  advertisedFor?: (path: string) => { aipg: string; horde: string } | null
  now?: () => number
  fetch?: typeof fetch
}

/** The miner inside the host: one worker at a time, its live state as a snapshot, its jobs in the ledger. */
export class EarnService {
  private worker: Worker | null = null
  private servingPath: string | null = null
  private stopReason: string | null = null
  private running: Promise<void> | null = null
  /** The Start in progress (the model may be reloading for more slots); concurrent Starts share it. */
  private starting: Promise<EarnSnapshot> | null = null
  /** Stop was pressed while Start was still preparing: nothing is started once the preparing ends. */
  private stopWhileStarting = false
  private state: EarnSnapshot
  private pushTimer: NodeJS.Timeout | null = null
  private accountTimer: NodeJS.Timeout | null = null
  private accountRefresh: Promise<EarnSnapshot> | null = null
  private readonly now: () => number
  private readonly keyOrigins: KeyOrigins

  constructor(private readonly deps: EarnDependencies) {
    this.now = deps.now ?? Date.now
    this.keyOrigins = new KeyOrigins(deps.settings)
    // The worker advertises and serves one model: if it goes away or changes, mining stops cleanly
    // instead of failing every job (faults on the Horde, strikes on AIPG).
    deps.engine.subscribe((engine) => {
      if (!this.worker || !this.servingPath) return
      if (engine.model?.path === this.servingPath || engine.state === 'restarting' || engine.state === 'loading') return
      this.stopReason = engine.model
        ? 'The model changed, so mining stopped; press Start to earn with the new one.'
        : 'The model was unloaded, so mining stopped; load a model and press Start.'
      this.worker.stop()
    })
    const settings = deps.settings.get(SETTINGS_KEY, settingsSchema, defaultSettings())
    const policy = deps.settings.get(POLICY_KEY, miningPolicySchema, deps.defaultPolicy ?? DEFAULT_POLICY)
    deps.gate.setPolicy(policy)
    deps.gate.onChange((pause) => {
      if (!this.worker) return
      this.update({ pause, ...(this.state.state === 'paused' && pause ? { detail: pause.message } : {}) })
    })
    this.state = {
      state: 'off',
      detail: null,
      settings,
      apiKeyLastFour: this.lastFour(settings.network),
      apiKeyNeedsCheck: this.keyNeedsCheck(settings),
      running: [],
      sinceStart: { startedAt: null, endedAt: null, jobs: 0, tokens: 0, rewards: 0 },
      status: 'idle',
      policy,
      pause: null,
      account: NO_ACCOUNT,
    }
    this.accountTimer = setInterval(() => void this.refreshAccount(), ACCOUNT_REFRESH_MS)
    this.accountTimer.unref?.()
    if (this.state.apiKeyLastFour) void this.refreshAccount()
  }

  snapshot(): EarnSnapshot {
    return this.state
  }

  configure(settings: EarnSettings): EarnSnapshot {
    if (this.worker || this.starting) throw new AppError('BUSY', 'Stop earning before changing these settings.')
    const networkChanged = settings.network !== this.state.settings.network || settings.gridUrl !== this.state.settings.gridUrl
    this.deps.settings.set(SETTINGS_KEY, settings)
    this.update({
      settings,
      apiKeyLastFour: this.lastFour(settings.network),
      apiKeyNeedsCheck: this.keyNeedsCheck(settings),
      ...(networkChanged ? { account: NO_ACCOUNT } : {}),
    })
    if (networkChanged && this.state.apiKeyLastFour) void this.refreshAccount()
    return this.state
  }

  /** Applies the policies at once (also while mining) and keeps them for the next start. */
  setPolicy(policy: MiningPolicySettings): EarnSnapshot {
    this.deps.settings.set(POLICY_KEY, policy)
    this.update({ policy })
    this.deps.gate.setPolicy(policy)
    return this.state
  }

  /**
   * Checks the key against the grid as this worker, then stores it; a key the grid refuses (or could
   * not check) is not saved. It is never sent back, only its last four characters.
   */
  async setApiKey(network: GridNetwork, apiKey: string): Promise<EarnSnapshot> {
    if (this.worker || this.starting) throw new AppError('BUSY', 'Stop earning before changing the API key.')
    const { settings } = this.state
    const gridUrl = gridUrlFor(settings, network)
    await checkApiKey({ network, gridUrl, apiKey, workerName: settings.workerName, agent: bridgeAgent(this.deps.version), extraCa: this.deps.extraCa, fetch: this.deps.fetch })
    this.deps.secrets.set(secretName(network), apiKey)
    this.keyOrigins.set(network, gridUrl)
    if (network === this.state.settings.network) {
      this.update({ apiKeyLastFour: this.lastFour(network), apiKeyNeedsCheck: false, account: NO_ACCOUNT })
      void this.refreshAccount()
    }
    return this.state
  }

  /** Asks the grid for the account's totals; when it cannot answer, says so once, without throwing. */
  refreshAccount(): Promise<EarnSnapshot> {
    this.accountRefresh ??= this.fetchAccount().finally(() => (this.accountRefresh = null))
    return this.accountRefresh
  }

  /** Rewards and jobs from the local ledger over a range. */
  history(range: HistoryRange): EarnHistory {
    const now = this.now()
    return buildHistory(range, now, this.deps.ledger.hourly(historyStart(range, now)))
  }

  /** Starts mining; a Start while one is preparing gets that one's outcome instead of a second miner. */
  start(): Promise<EarnSnapshot> {
    if (this.worker) return Promise.resolve(this.state)
    this.starting ??= this.startWorker().finally(() => (this.starting = null))
    return this.starting
  }

  private async startWorker(): Promise<EarnSnapshot> {
    this.stopWhileStarting = false
    const model = this.deps.engine.snapshot().model
    if (!model) throw new AppError('NO_MODEL', 'Load a model before you start earning.')
    const { settings } = this.state
    const apiKey = this.apiKeyFor(settings.network)
    if (!apiKey && this.keyNeedsCheck(settings)) throw new AppError('KEY_REFUSED', recheckMessage(settings))
    if (!apiKey) throw new AppError('BAD_REQUEST', `Add your ${settings.network === 'aipg' ? 'AIPG' : 'AI Horde'} API key before you start earning.`)

    // Each slot generates on its own sequence, next to the one kept for the user's chat.
    this.update({ state: 'connecting', detail: 'Preparing the model for the grid…' })
    await this.deps.engine.ensureSequences(settings.slots + 1).catch((error: unknown) => {
      this.update({ state: 'off', detail: null })
      throw error
    })
    if (this.stopWhileStarting) {
      this.update({ state: 'off', detail: null })
      return this.state
    }
    const maxContextLength = Math.min(settings.maxContextLength, model.contextSize)
    const worker = createWorker(
      {
        network: settings.network,
        gridUrl: gridUrlFor(settings, settings.network),
        apiKey,
        name: settings.workerName,
        models: advertisedModels(settings.network, model.fileName, this.deps.advertisedFor?.(model.path) ?? null),
        slots: settings.slots,
        maxLength: Math.min(settings.maxLength, Math.max(16, maxContextLength - 16)),
        maxContextLength,
        agent: bridgeAgent(this.deps.version),
        extraCa: this.deps.extraCa,
      },
      { engine: this.deps.engine, ledger: this.deps.ledger, gate: this.deps.gate },
    )
    this.worker = worker
    this.servingPath = model.path
    this.stopReason = null
    this.update({ state: 'connecting', detail: null, running: [], sinceStart: { startedAt: this.now(), endedAt: null, jobs: 0, tokens: 0, rewards: 0 } })
    this.deps.gate.start()
    worker.subscribe((event) => this.onEvent(event))
    this.running = worker
      .run()
      .catch((error: unknown) => ({ reason: 'fatal' as const, message: `Mining stopped: ${(error as Error).message}` }))
      .then((exit) => {
        this.worker = null
        this.servingPath = null
        this.running = null
        this.deps.gate.stop()
        const message = exit.reason === 'fatal' ? exit.message : this.stopReason
        this.update({ state: exit.reason === 'fatal' ? 'error' : 'off', detail: message, running: [], pause: null, sinceStart: { ...this.state.sinceStart, endedAt: this.now() } })
        void this.refreshAccount()
      })
    void this.refreshAccount()
    return this.state
  }

  /** First call finishes jobs in flight; a second one cancels them. */
  stop(): EarnSnapshot {
    if (this.starting && !this.worker) {
      this.stopWhileStarting = true
      this.update({ state: 'stopping', detail: null })
      return this.state
    }
    this.worker?.stop()
    return this.state
  }

  jobs(limit: number): JobLogEntry[] {
    return this.deps.ledger.list(limit).map(({ startedAt: _startedAt, ...entry }) => entry)
  }

  /** Stops mining for app shutdown: jobs in flight get the grace period, then are cancelled. */
  async close(): Promise<void> {
    if (this.starting) {
      this.stopWhileStarting = true
      await this.starting.catch(() => undefined)
    }
    this.worker?.stop()
    await this.running
    if (this.pushTimer) clearTimeout(this.pushTimer)
    // A totals request in flight is left to finish on its own: shutdown must not wait on the network.
    if (this.accountTimer) clearInterval(this.accountTimer)
  }

  private onEvent(event: WorkerEvent): void {
    switch (event.type) {
      case 'state':
        if (event.state === 'stopped') return
        if (event.state === 'paused') {
          const pause = this.deps.gate.pause()
          this.update({ state: 'paused', pause, detail: pause?.message ?? 'Paused by a mining policy.' })
          return
        }
        this.update({ state: event.state, detail: event.detail, pause: this.deps.gate.pause() })
        return
      case 'job-started':
        this.update({ running: [...this.state.running, { jobId: event.jobId, network: event.network, model: event.model, tokens: 0, startedAt: this.now() }] })
        return
      case 'job-progress':
        this.state = { ...this.state, running: this.state.running.map((job) => (job.jobId === event.jobId ? { ...job, tokens: event.tokens } : job)) }
        this.schedulePush()
        return
      case 'job-finished': {
        const { sinceStart } = this.state
        this.update({
          running: this.state.running.filter((job) => job.jobId !== event.record.jobId),
          sinceStart: {
            ...sinceStart,
            jobs: sinceStart.jobs + 1,
            tokens: sinceStart.tokens + event.record.completionTokens,
            rewards: sinceStart.rewards + (event.record.reward ?? 0),
          },
        })
        return
      }
      case 'job-rewarded':
        this.update({ sinceStart: { ...this.state.sinceStart, rewards: this.state.sinceStart.rewards + (event.record.reward ?? 0) } })
        return
    }
  }

  private schedulePush(): void {
    this.pushTimer ??= setTimeout(() => {
      this.pushTimer = null
      this.deps.events.emit('earn.snapshot', this.state)
    }, PROGRESS_PUSH_MS)
  }

  private update(change: Partial<EarnSnapshot>): void {
    const next = { ...this.state, ...change }
    this.state = { ...next, status: statusOf(next.state) }
    this.deps.events.emit('earn.snapshot', this.state)
  }

  private async fetchAccount(): Promise<EarnSnapshot> {
    const { network, gridUrl } = this.state.settings
    const apiKey = this.apiKeyFor(network)
    if (!apiKey) {
      if (this.state.account !== NO_ACCOUNT) this.update({ account: NO_ACCOUNT })
      return this.state
    }
    const access = { network, gridUrl: gridUrlFor(this.state.settings, network), apiKey, agent: bridgeAgent(this.deps.version), fetch: this.deps.fetch }
    let account: AccountTotals
    try {
      account = { state: 'ok', totals: await fetchAccountTotals(access), message: null, checkedAt: this.now() }
    } catch (error) {
      const refused = error instanceof GridAccountError && error.kind === 'refused'
      const message = refused
        ? 'Account totals unavailable: the grid no longer accepts this API key; paste a new one in the miner settings.'
        : 'Account totals unavailable (grid unreachable).'
      // Keep the last totals the grid gave; only the message says they are not current.
      account = { state: 'unavailable', totals: this.state.account.totals, message, checkedAt: this.now() }
    }
    // Settings changed while asking: these totals belong to another account or grid.
    if (network !== this.state.settings.network || gridUrl !== this.state.settings.gridUrl) return this.state
    this.update({ account })
    return this.state
  }

  /**
   * The stored key of `network`, only when it was checked against the grid it would now be sent to
   * (mining, account totals, chat through the grid); null otherwise.
   */
  apiKeyFor(network: GridNetwork): string | null {
    const apiKey = this.deps.secrets.get(secretName(network))
    return apiKey && this.keyOrigins.allows(network, gridUrlFor(this.state.settings, network)) ? apiKey : null
  }

  private keyNeedsCheck(settings: EarnSettings): boolean {
    return !!this.deps.secrets.get(secretName(settings.network)) && !this.keyOrigins.allows(settings.network, gridUrlFor(settings, settings.network))
  }

  private lastFour(network: GridNetwork): string | null {
    return this.deps.secrets.get(secretName(network))?.slice(-4) ?? null
  }
}

/** Start refused because the saved key was checked against another grid than the one configured now. */
function recheckMessage(settings: EarnSettings): string {
  const grid = originOf(gridUrlFor(settings, settings.network)) ?? 'this grid'
  return `Your API key was checked against another grid, so it is not sent to ${grid}; paste it again in the miner settings to check it against this grid.`
}

function statusOf(state: EarnState): EarnStatus {
  if (state === 'off') return 'idle'
  if (state === 'error') return 'error'
  if (state === 'paused') return 'paused'
  return 'mining'
}

/** Where the network's API key is kept in the secret store (also read by chat through the grid). */
export function secretName(network: GridNetwork): string {
  return `${network}-api-key`
}
