import { z } from 'zod'
import { DEFAULT_GRID_URLS, originOf } from '../../grid/gridUrls.js'
import type { GridNetwork } from '../../shared/domain.js'
import type { SettingsRepository } from '../store/settingsRepository.js'

const originSchema = z.string().min(1).nullable()

/**
 * Where each network's API key was checked. A key is sent only to that origin: changing the grid URL to
 * another server must not hand it the key of the real grid. Keys saved before origins were kept were
 * checked against the production grid unless a grid URL was set, which cannot be known now, so they
 * count as checked against the production grid only.
 */
export class KeyOrigins {
  constructor(private readonly settings: SettingsRepository) {}

  get(network: GridNetwork): string | null {
    return this.settings.get(settingKey(network), originSchema, null) ?? originOf(DEFAULT_GRID_URLS[network])
  }

  /** Records that the key of `network` was checked against `gridUrl`. */
  set(network: GridNetwork, gridUrl: string): void {
    this.settings.set(settingKey(network), originOf(gridUrl))
  }

  /** True when the key of `network` may be sent to `gridUrl`. */
  allows(network: GridNetwork, gridUrl: string): boolean {
    const origin = originOf(gridUrl)
    return origin !== null && origin === this.get(network)
  }
}

function settingKey(network: GridNetwork): string {
  return `earn.keyOrigin.${network}`
}
