import { bridgeAgent } from '../../grid/gridAuth.js'
import type { EarnSettings, GridNetwork } from '../../shared/domain.js'
import { fleetOf, seenAgo, type Fleet } from '../../shared/fleet.js'
import { fetchAccountTotals, isKeyRefusal } from '../earn/gridAccount.js'
import { GridCredentials } from '../earn/gridCredentials.js'
import { KeyOrigins } from '../earn/keyOrigins.js'
import type { SecretStore } from '../store/secretStore.js'
import type { SettingsRepository } from '../store/settingsRepository.js'
import { readKeyFile } from './options.js'

/** The account's rigs in `gridforge status --fleet`; `state` says why there are none. */
export type FleetStatus = ({ state: 'ok'; unit: 'den' | 'kudos' } & Fleet) | { state: 'no-key' | 'unavailable'; message: string; rigs: [] }

/** Where `--fleet` asks, and which rig is this one. */
export interface FleetSource {
  network: GridNetwork
  gridUrl: string
  /** From `fleetApiKey`; null when there is none to send. */
  apiKey: string | null
  /** This rig's worker name and slots (each slot registers its own name); null slots: chosen at each start. */
  self: { workerName: string; slots: number | null }
  version: string
  fetch: typeof fetch
}

/**
 * The key `--fleet` sends: `--api-key-file` (a headless rig's key), else the key the app saved, only for the grid it
 * was checked against (the app's own rule). An unreadable key file is a usage error.
 */
export function fleetApiKey(options: {
  apiKeyFile?: string
  network: GridNetwork
  gridUrl: string
  settings: EarnSettings
  secrets: SecretStore
  store: SettingsRepository
}): string | null {
  if (options.apiKeyFile) return readKeyFile(options.apiKeyFile, 'API key')
  const credentials = new GridCredentials({
    secrets: options.secrets,
    origins: new KeyOrigins(options.store),
    settings: () => ({ ...options.settings, network: options.network, gridUrl: options.gridUrl }),
    agent: '',
  })
  return credentials.apiKeyFor(options.network)
}

/** Asks the grid for the account's rigs (AIPG `/v1/account/workers`, the Horde's `find_user` and workers). Never throws. */
export async function fleetStatus(source: FleetSource): Promise<FleetStatus> {
  if (!source.apiKey) {
    return {
      state: 'no-key',
      message: 'No API key for this grid: pass --api-key-file F, or save the key in the app first.',
      rigs: [],
    }
  }
  try {
    const totals = await fetchAccountTotals({
      network: source.network,
      gridUrl: source.gridUrl,
      apiKey: source.apiKey,
      agent: bridgeAgent(source.version),
      fetch: source.fetch,
    })
    return { state: 'ok', unit: source.network === 'aipg' ? 'den' : 'kudos', ...fleetOf(totals.rigs ?? [], source.self) }
  } catch (error) {
    const message = isKeyRefusal(error)
      ? 'The grid refused this API key, so it lists no rigs.'
      : `The grid could not list the account's rigs: ${error instanceof Error ? error.message : String(error)}`
    return { state: 'unavailable', message, rigs: [] }
  }
}

/** The fleet as lines for a person: one per rig, offline ones flagged, and the totals. */
export function describeFleet(fleet: FleetStatus, now: number): string[] {
  if (fleet.state !== 'ok') return [`Fleet:     ${fleet.message}`]
  if (fleet.rigs.length === 0) return ['Fleet:     the grid lists no rigs for this account yet']
  const rows = fleet.rigs.map((rig) => [
    `${rig.state === 'offline' ? '! ' : '  '}${rig.name}${rig.thisRig ? ' (this rig)' : ''}`,
    rig.state,
    rig.models.join(',') || '-',
    rig.tokensPerSecond === null ? '-' : rig.tokensPerSecond.toFixed(1),
    rig.online ? 'now' : seenAgo(rig.lastSeen, now),
    rig.rewards === null ? '-' : rig.rewards.toFixed(2),
    rig.jobs === null ? '-' : String(rig.jobs),
  ])
  const header = ['  rig', 'state', 'models', 'tok/s', 'last seen', fleet.unit, 'jobs']
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd()
  const totals = `${fleet.online} of ${fleet.rigs.length} online${fleet.offline ? `, ${fleet.offline} offline` : ''}`
  const earned = fleet.rewards === null ? '' : `, ${fleet.rewards.toFixed(2)} ${fleet.unit}`
  const jobs = fleet.jobs === null ? '' : `, ${fleet.jobs} jobs`
  return [`Fleet:     ${totals}${earned}${jobs}`, line(header), ...rows.map(line)]
}
