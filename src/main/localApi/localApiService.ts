import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { Events } from '../../shared/api.js'
import type { LocalApiSettings, LocalApiSnapshot } from '../../shared/domain.js'
import { AppError } from '../../shared/result.js'
import type { SecretStore } from '../store/secretStore.js'
import type { Engine } from '../engine/engine.js'
import type { ServedModel } from './context.js'
import { Emitter, type EventListener } from '../lib/emitter.js'
import type { SettingsRepository } from '../store/settingsRepository.js'
import { startLocalApi, type LocalApi } from './localApiServer.js'

const SETTINGS_KEY = 'localApi.settings'
export const TOKEN_SECRET = 'local-api-token'
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])
const settingsSchema = z.object({
  enabled: z.boolean(),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  corsOrigins: z.array(z.string()).default([]),
})
const DEFAULTS: LocalApiSettings = { enabled: false, host: '127.0.0.1', port: 5001, corsOrigins: [] }

/** What the local API service tells the transports. */
export type LocalApiEvents = Pick<Events, 'api.snapshot'>

/** The local API's life cycle: off by default, on at the user's word, its token regenerable. */
export class LocalApiService {
  private server: LocalApi | null = null
  /** Changes apply one at a time: a port edit and a toggle in quick succession must not interleave. */
  private applying: Promise<unknown> = Promise.resolve()
  private state: LocalApiSnapshot
  private readonly events = new Emitter<LocalApiEvents>()

  constructor(
    private readonly deps: {
      engine: Engine
      settings: SettingsRepository
      secrets: SecretStore
      beginLocalUse: () => () => void
      /** The model the user's own inference server serves (bridge mode), answered to by its id. */
      served?: () => ServedModel | null
    },
  ) {
    const settings = deps.settings.get(SETTINGS_KEY, settingsSchema, DEFAULTS)
    this.state = { settings, running: false, url: null, token: null, warning: null, error: null }
  }

  /** Starts the server if the settings say so (at host start); one that cannot start is stored off, with why in the snapshot. */
  async startIfEnabled(): Promise<void> {
    if (this.state.settings.enabled) await this.apply(this.state.settings).catch(() => undefined)
  }

  /** Calls `listener` on every change of the snapshot; returns the function that stops it. */
  subscribe(listener: EventListener<LocalApiEvents>): () => void {
    return this.events.subscribe(listener)
  }

  /** One event only, typed. */
  on<K extends keyof LocalApiEvents>(name: K, listener: (payload: LocalApiEvents[K]) => void): () => void {
    return this.events.on(name, listener)
  }

  snapshot(): LocalApiSnapshot {
    return this.state
  }

  /** Saves the settings and starts, restarts or stops the server to match. */
  async configure(settings: LocalApiSettings): Promise<LocalApiSnapshot> {
    this.deps.settings.set(SETTINGS_KEY, settings)
    await this.apply(settings)
    return this.state
  }

  /** A new token; clients using the old one get 401 from now on. */
  async regenerateToken(): Promise<LocalApiSnapshot> {
    this.deps.secrets.set(TOKEN_SECRET, newToken())
    await this.apply(this.state.settings)
    return this.state
  }

  async close(): Promise<void> {
    await this.server?.close()
    this.server = null
  }

  private apply(settings: LocalApiSettings): Promise<void> {
    const next = this.applying.then(() => this.applyNow(settings))
    this.applying = next.catch(() => undefined)
    return next
  }

  private async applyNow(settings: LocalApiSettings): Promise<void> {
    await this.close()
    const warning = LOOPBACK.has(settings.host)
      ? null
      : `The API listens on ${settings.host}: other machines can reach it, protected only by the token.`
    this.update({ settings, running: false, url: null, token: settings.enabled ? this.token() : null, warning, error: null })
    if (!settings.enabled) return
    try {
      this.server = await startLocalApi(this.deps.engine, this.deps.beginLocalUse, {
        host: settings.host,
        port: settings.port,
        token: this.token(),
        corsOrigins: settings.corsOrigins,
        served: this.deps.served,
      })
      this.update({ running: true, url: this.server.url })
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const message =
        code === 'EADDRINUSE'
          ? `Port ${settings.port} is already in use; choose another. The local API is off.`
          : code === 'EACCES'
            ? `This PC does not allow GridForge to listen on port ${settings.port}; choose one above 1024. The local API is off.`
            : `The local API could not start on ${settings.host}:${settings.port}. The local API is off.`
      // Stored off, so a restart does not try again silently; the snapshot keeps the reason for the toggle.
      const off = { ...settings, enabled: false }
      this.deps.settings.set(SETTINGS_KEY, off)
      this.update({ settings: off, token: null, error: message })
      throw new AppError('BAD_REQUEST', message)
    }
  }

  private token(): string {
    const existing = this.deps.secrets.get(TOKEN_SECRET)
    if (existing) return existing
    const token = newToken()
    this.deps.secrets.set(TOKEN_SECRET, token)
    return token
  }

  private update(change: Partial<LocalApiSnapshot>): void {
    this.state = { ...this.state, ...change }
    this.events.emit('api.snapshot', this.state)
  }
}

function newToken(): string {
  return `gf-${randomBytes(24).toString('base64url')}`
}
