import { fetchAccountJobs } from '../../grid/accountJobs.js'
import { fetchAccountPayouts } from '../../grid/accountPayouts.js'
import type { GridAccess } from '../../grid/gridRequest.js'
import type { AccountTotals, EarnSettings } from '../../shared/domain.js'
import { Emitter } from '../lib/emitter.js'
import { fetchAccountTotals, isKeyRefusal } from './gridAccount.js'
import type { GridCredentials } from './gridCredentials.js'

/** Account totals are asked for this often while a key is stored (and on demand). */
const ACCOUNT_REFRESH_MS = 5 * 60_000

/** No totals asked for yet (or they belonged to another key or grid). */
export const NO_ACCOUNT: AccountTotals = { state: 'unknown', totals: null, message: null, checkedAt: null, jobs: null, payouts: null }

/** What the account poller is built from. */
export interface AccountPollerDependencies {
  credentials: Pick<GridCredentials, 'apiKeyFor' | 'gridUrl' | 'lastFour'>
  /** The chosen network and the grid URL set for it. */
  settings: () => Pick<EarnSettings, 'network' | 'gridUrl'>
  /** The Client-Agent sent to the grid. */
  agent: string
  /** Asked for the grid's model registry on each AIPG poll; it keeps what it has when the grid publishes none. */
  registry?: { refreshFrom(access: GridAccess): Promise<unknown> }
  now?: () => number
  fetch?: typeof fetch
  log?: (line: string) => void
}

/**
 * The grid's totals for the account of the stored key, asked for every few minutes once the host starts
 * the poller, and on demand; on AIPG also its jobs (signed or not) and payouts, and the model registry.
 * When the grid cannot answer it says so once, keeping the last totals, jobs and payouts.
 */
export class AccountPoller {
  private totals: AccountTotals = NO_ACCOUNT
  private timer: NodeJS.Timeout | null = null
  private inFlight: Promise<AccountTotals> | null = null
  private readonly events: Emitter<{ account: AccountTotals }>
  private readonly now: () => number

  constructor(private readonly deps: AccountPollerDependencies) {
    this.events = new Emitter(deps.log)
    this.now = deps.now ?? Date.now
  }

  snapshot(): AccountTotals {
    return this.totals
  }

  /** Calls `listener` each time the totals change; returns the function that stops it. */
  onChange(listener: (totals: AccountTotals) => void): () => void {
    return this.events.on('account', listener)
  }

  /** Starts polling (the host does, once); asks at once when a key is stored. */
  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => void this.refresh(), ACCOUNT_REFRESH_MS)
    this.timer.unref?.()
    if (this.deps.credentials.lastFour()) void this.refresh()
  }

  /** Asks the grid now; a request already under way is shared. Never throws. */
  refresh(): Promise<AccountTotals> {
    this.inFlight ??= this.fetchTotals().finally(() => (this.inFlight = null))
    return this.inFlight
  }

  /** The key or the grid changed: the totals shown belonged to another account. */
  reset(): void {
    this.set(NO_ACCOUNT)
  }

  /** A request in flight is left to finish on its own: shutdown must not wait on the network. */
  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private async fetchTotals(): Promise<AccountTotals> {
    const { network, gridUrl } = this.deps.settings()
    const apiKey = this.deps.credentials.apiKeyFor(network)
    if (!apiKey) {
      if (this.totals !== NO_ACCOUNT) this.set(NO_ACCOUNT)
      return this.totals
    }
    const access = { network, gridUrl: this.deps.credentials.gridUrl(network), apiKey, agent: this.deps.agent, fetch: this.deps.fetch }
    const aipg = network === 'aipg'
    const [asked, jobs, payouts] = await Promise.allSettled([
      fetchAccountTotals(access),
      aipg ? fetchAccountJobs(access) : Promise.resolve(null),
      aipg ? fetchAccountPayouts(access) : Promise.resolve(null),
      aipg ? this.deps.registry?.refreshFrom(access) : undefined,
    ])
    // A grid without one of the AIPG lists (or offline) leaves the last one the grid gave.
    const lists = {
      jobs: jobs.status === 'fulfilled' ? jobs.value : (this.totals.jobs ?? null),
      payouts: payouts.status === 'fulfilled' ? payouts.value : (this.totals.payouts ?? null),
    }
    let totals: AccountTotals
    if (asked.status === 'fulfilled') {
      totals = { state: 'ok', totals: asked.value, message: null, checkedAt: this.now(), ...lists }
    } else {
      const refused = isKeyRefusal(asked.reason)
      const message = refused
        ? 'Account totals unavailable: the grid no longer accepts this API key; paste a new one in the miner settings.'
        : 'Account totals unavailable (grid unreachable).'
      // Keep the last totals the grid gave; only the message says they are not current.
      totals = { state: 'unavailable', totals: this.totals.totals, message, checkedAt: this.now(), ...lists }
    }
    // Settings changed while asking: these totals belong to another account or grid.
    const now = this.deps.settings()
    if (network !== now.network || gridUrl !== now.gridUrl) return this.totals
    this.set(totals)
    return this.totals
  }

  private set(totals: AccountTotals): void {
    this.totals = totals
    this.events.emit('account', totals)
  }
}
