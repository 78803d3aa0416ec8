import { z } from 'zod'
import { BACKEND_KINDS, BRIDGE_MODES, type BridgeBackendKind, type BridgeMode } from '../../shared/bridge.js'
import type { SettingsRepository } from '../store/settingsRepository.js'
import type { SecretStore } from '../store/secretStore.js'

const SETTINGS_KEY = 'bridge'
/** The server's key, kept like the grid keys (0600 file, or the OS keychain in the desktop app). */
const KEY_SECRET = 'bridge-backend-key'

const storedSchema = z.object({
  mode: z.enum(BRIDGE_MODES),
  kind: z.enum(BACKEND_KINDS),
  url: z.string(),
  model: z.string(),
  gridModel: z.string().nullable().default(null),
})

export interface BridgeSettings {
  mode: BridgeMode
  kind: BridgeBackendKind
  url: string
  model: string
  /** The AIPG registry name the user picked for the model; null: matched from the server's name. */
  gridModel: string | null
}

/** Ollama's address: the most common server on a desktop, and what the form starts with. */
export const DEFAULT_BRIDGE_SETTINGS: BridgeSettings = {
  mode: 'embedded',
  kind: 'openai',
  url: 'http://127.0.0.1:11434/v1',
  model: '',
  gridModel: null,
}

/** The bridge settings in the settings table and the server's key in the secret store. */
export class BridgeSettingsStore {
  constructor(
    private readonly settings: Pick<SettingsRepository, 'get' | 'set'>,
    private readonly secrets: SecretStore,
  ) {}

  current(): BridgeSettings {
    return this.settings.get(SETTINGS_KEY, storedSchema, DEFAULT_BRIDGE_SETTINGS)
  }

  save(next: BridgeSettings): void {
    this.settings.set(SETTINGS_KEY, next)
  }

  key(): string | null {
    return this.secrets.get(KEY_SECRET)
  }

  /** A new key replaces the stored one; null forgets it; undefined leaves it. */
  setKey(key: string | null | undefined): void {
    if (key === undefined) return
    if (key === null) this.secrets.delete(KEY_SECRET)
    else this.secrets.set(KEY_SECRET, key)
  }
}
