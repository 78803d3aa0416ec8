import type { EarnSettings, GridNetwork } from '../../shared/domain.js'
import { AppError } from '../../shared/result.js'
import type { SecretStore } from '../store/secretStore.js'
import { checkApiKey } from './apiKeyCheck.js'
import { gridUrlFor, originOf } from '../../grid/gridUrls.js'
import type { KeyOrigins } from './keyOrigins.js'

/** What the grid credentials are kept in and checked with. */
export interface GridCredentialsDependencies {
  secrets: SecretStore
  /** Where each network's key was checked: it is sent only there. */
  origins: KeyOrigins
  /** The miner's settings now (network, grid URL, worker name). */
  settings: () => EarnSettings
  /** The Client-Agent sent to the grid. */
  agent: string
  /** The Cloudflare Origin CA for the AIPG worker socket (the key check registers on it). */
  extraCa?: string
  fetch?: typeof fetch
}

/**
 * The API key of each grid network: checked against the grid before it is kept, kept in the secret
 * store, and handed out (to the miner, the account totals, chat through the grid) only for the grid it
 * was checked against. The key itself never leaves the host; the UI sees its last four characters.
 */
export class GridCredentials {
  constructor(private readonly deps: GridCredentialsDependencies) {}

  /** The grid a network's traffic goes to now: the configured URL for the chosen network, else production. */
  gridUrl(network: GridNetwork): string {
    return gridUrlFor(this.deps.settings(), network)
  }

  /** Checks the key against the grid as this worker, then keeps it; a key the grid refuses (or could not check) is not saved. */
  async save(network: GridNetwork, apiKey: string): Promise<void> {
    const gridUrl = this.gridUrl(network)
    const { workerName } = this.deps.settings()
    await checkApiKey({ network, gridUrl, apiKey, workerName, agent: this.deps.agent, extraCa: this.deps.extraCa, fetch: this.deps.fetch })
    this.deps.secrets.set(secretName(network), apiKey)
    this.deps.origins.set(network, gridUrl)
  }

  /** The stored key of `network`, only when it was checked against the grid it would now be sent to; null otherwise. */
  apiKeyFor(network: GridNetwork): string | null {
    const apiKey = this.deps.secrets.get(secretName(network))
    return apiKey && this.deps.origins.allows(network, this.gridUrl(network)) ? apiKey : null
  }

  /** The key the miner sends for the chosen network; throws the sentence to show when there is none to send. */
  requireApiKey(): string {
    const { network } = this.deps.settings()
    const apiKey = this.apiKeyFor(network)
    if (apiKey) return apiKey
    if (this.needsCheck()) throw new AppError('KEY_REFUSED', this.recheckMessage())
    throw new AppError('BAD_REQUEST', `Add your ${network === 'aipg' ? 'AIPG' : 'AI Horde'} API key before you start earning.`)
  }

  /** A key is saved for the chosen network but was checked against another grid than the one configured now. */
  needsCheck(): boolean {
    const { network } = this.deps.settings()
    return !!this.deps.secrets.get(secretName(network)) && !this.deps.origins.allows(network, this.gridUrl(network))
  }

  /** The last four characters of the chosen network's saved key (checked or not), null when none is saved. */
  lastFour(): string | null {
    return this.deps.secrets.get(secretName(this.deps.settings().network))?.slice(-4) ?? null
  }

  private recheckMessage(): string {
    const grid = originOf(this.gridUrl(this.deps.settings().network)) ?? 'this grid'
    return `Your API key was checked against another grid, so it is not sent to ${grid}; paste it again in the miner settings to check it against this grid.`
  }
}

/** Where the network's API key is kept in the secret store. */
export function secretName(network: GridNetwork): string {
  return `${network}-api-key`
}
