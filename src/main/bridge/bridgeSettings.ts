import { z } from 'zod'
import {
  BACKEND_KINDS,
  BRIDGE_MODES,
  bridgeServersSchema,
  type BridgeBackendKind,
  type BridgeMode,
  type BridgeServer,
  type BridgeServers,
} from '../../shared/bridge.js'
import type { SettingsRepository } from '../store/settingsRepository.js'
import type { SecretStore } from '../store/secretStore.js'

const SETTINGS_KEY = 'bridge'
/** Each server's key, kept like the grid keys (0600 file, or the OS keychain in the desktop app). */
const KEY_SECRET = 'bridge-backend-key'

/** The list's schema is shared: the panel sends the same list the host saves. */
export { bridgeServersSchema, type BridgeServedModel, type BridgeServer, type BridgeServers } from '../../shared/bridge.js'

/** The single-server setting saved before the list existed (and the id its server gets in the list). */
const legacySchema = z.object({
  mode: z.enum(BRIDGE_MODES),
  kind: z.enum(BACKEND_KINDS),
  url: z.string(),
  model: z.string(),
  gridModel: z.string().nullable().default(null),
})
const LEGACY_ID = 'server-1'

const storedSchema = z.union([bridgeServersSchema, legacySchema.transform(fromLegacy)])

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

const EMPTY: BridgeServers = { mode: 'embedded', servers: [] }

/** The bridge's server list in the settings table and each server's key in the secret store. */
export class BridgeSettingsStore {
  constructor(
    private readonly settings: Pick<SettingsRepository, 'get' | 'set'>,
    private readonly secrets: SecretStore,
  ) {
    this.migrate()
  }

  /** Every server, in the order the user added them. */
  list(): BridgeServers {
    return this.settings.get(SETTINGS_KEY, storedSchema, EMPTY)
  }

  /** Replaces the list; a server that is gone takes its key with it. Throws the list's problem in one sentence. */
  saveList(next: BridgeServers): void {
    const parsed = bridgeServersSchema.safeParse(next)
    if (!parsed.success) throw new Error(`The server list cannot be saved: ${parsed.error.issues[0]?.message ?? 'it is not valid'}.`)
    const kept = new Set(parsed.data.servers.map((server) => server.id))
    for (const server of this.list().servers) if (!kept.has(server.id)) this.secrets.delete(secretName(server.id))
    this.settings.set(SETTINGS_KEY, parsed.data)
  }

  /** The first server and its first model: what chat's "My server", the local API and the single-server form use. */
  current(): BridgeSettings {
    const { mode, servers } = this.list()
    const first = servers[0]
    if (!first) return { ...DEFAULT_BRIDGE_SETTINGS, mode }
    const model = first.models[0]
    return { mode, kind: first.kind, url: first.url, model: model?.name ?? '', gridModel: model?.gridModel ?? null }
  }

  /** Saves the single-server form into the first server of the list; the others stay as they are. */
  save(next: BridgeSettings): void {
    const { servers } = this.list()
    const first = servers[0]
    const kept = first?.models.find((model) => model.name === next.model)
    const models = next.model
      ? [{ name: next.model, gridModel: next.gridModel, slots: kept?.slots ?? null, maxLength: kept?.maxLength ?? null }]
      : []
    const edited: BridgeServer = { id: first?.id ?? newServerId(servers), kind: next.kind, url: next.url, models }
    this.saveList({ mode: next.mode, servers: [edited, ...servers.slice(1)] })
  }

  /** The first server's key. */
  key(): string | null {
    const first = this.list().servers[0]
    return first ? this.keyOf(first.id) : null
  }

  keyOf(id: string): string | null {
    return this.secrets.get(secretName(id))
  }

  /** A new key replaces the first server's stored one; null forgets it; undefined leaves it. */
  setKey(key: string | null | undefined): void {
    const first = this.list().servers[0]
    this.setKeyOf(first?.id ?? LEGACY_ID, key)
  }

  setKeyOf(id: string, key: string | null | undefined): void {
    if (key === undefined) return
    if (key === null) this.secrets.delete(secretName(id))
    else this.secrets.set(secretName(id), key)
  }

  /** An existing user's single server becomes the first of the list, its key filed under that server. */
  private migrate(): void {
    const stored = this.settings.get(SETTINGS_KEY, legacySchema.strict(), null)
    const oldKey = this.secrets.get(KEY_SECRET)
    if (stored) this.settings.set(SETTINGS_KEY, fromLegacy(stored))
    if (oldKey !== null) {
      if (this.secrets.get(secretName(LEGACY_ID)) === null) this.secrets.set(secretName(LEGACY_ID), oldKey)
      this.secrets.delete(KEY_SECRET)
    }
  }
}

/** An id no server in the list has yet. */
export function newServerId(servers: readonly BridgeServer[]): string {
  const ids = new Set(servers.map((server) => server.id))
  let n = servers.length + 1
  while (ids.has(`server-${n}`)) n += 1
  return `server-${n}`
}

function fromLegacy(old: z.output<typeof legacySchema>): BridgeServers {
  const models = old.model.trim() ? [{ name: old.model.trim(), gridModel: old.gridModel, slots: null, maxLength: null }] : []
  return { mode: old.mode, servers: [{ id: LEGACY_ID, kind: old.kind, url: old.url, models }] }
}

const secretName = (id: string) => `${KEY_SECRET}.${id}`
