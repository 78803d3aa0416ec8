import type { Registry } from 'prom-client'
import { DEFAULT_METRICS_SETTINGS, metricsSettingsSchema, type MetricsSettings, type MetricsStatus } from '../../shared/metricsSettings.js'
import type { SettingsRepository } from '../store/settingsRepository.js'
import { startMetricsServer, type MetricsEndpoint } from './metricsServer.js'

const SETTINGS_KEY = 'metrics.settings'

/**
 * The Settings toggle for `/metrics`: serves the rig's registry where the saved settings say, restarts the
 * endpoint when they change, and turns the toggle back off with one sentence when it cannot listen (a port
 * in use): the host goes on without metrics. Changes are serialised, so two quick saves cannot both listen.
 */
export class MetricsService {
  private endpoint: MetricsEndpoint | null = null
  private status: MetricsStatus
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly deps: {
      registry: Registry
      settings: Pick<SettingsRepository, 'get' | 'set'>
      log?: (line: string) => void
    },
  ) {
    this.status = { settings: this.saved(), url: null, problem: null, warning: null, overridden: false }
  }

  snapshot(): MetricsStatus {
    return this.status
  }

  /** At start: serve when the saved settings say so, unless this run's command line chose its own endpoint. */
  startIfEnabled(options: { overridden?: boolean } = {}): Promise<MetricsStatus> {
    if (options.overridden) {
      this.status = { ...this.status, overridden: true }
      return Promise.resolve(this.status)
    }
    return this.serialised(() => this.apply(this.status.settings))
  }

  /** Saves the settings and applies them at once (unless the command line set this run's endpoint). */
  configure(settings: MetricsSettings): Promise<MetricsStatus> {
    return this.serialised(async () => {
      if (this.status.overridden) {
        this.deps.settings.set(SETTINGS_KEY, settings)
        this.status = { ...this.status, settings }
        return this.status
      }
      return this.apply(settings)
    })
  }

  /** The status once every change asked for so far has been applied. */
  settled(): Promise<MetricsStatus> {
    return this.serialised(async () => this.status)
  }

  close(): Promise<void> {
    return this.serialised(() => this.stop())
  }

  private async apply(settings: MetricsSettings): Promise<MetricsStatus> {
    await this.stop()
    if (!settings.enabled) {
      this.deps.settings.set(SETTINGS_KEY, settings)
      this.status = { settings, url: null, problem: null, warning: null, overridden: false }
      return this.status
    }
    const started = await startMetricsServer(this.deps.registry, {
      host: settings.host,
      port: settings.port,
      pickAnother: 'pick another port',
    })
    if (!started.ok) {
      // The toggle shows what runs: off, with the sentence beside it.
      const off = { ...settings, enabled: false }
      this.deps.settings.set(SETTINGS_KEY, off)
      this.deps.log?.(started.message)
      this.status = { settings: off, url: null, problem: started.message, warning: null, overridden: false }
      return this.status
    }
    this.endpoint = started.endpoint
    this.deps.settings.set(SETTINGS_KEY, settings)
    if (started.warning) this.deps.log?.(`Warning: ${started.warning}`)
    this.status = { settings, url: started.endpoint.url, problem: null, warning: started.warning, overridden: false }
    return this.status
  }

  private async stop(): Promise<void> {
    const endpoint = this.endpoint
    this.endpoint = null
    await endpoint?.close()
  }

  private saved(): MetricsSettings {
    return this.deps.settings.get(SETTINGS_KEY, metricsSettingsSchema, DEFAULT_METRICS_SETTINGS)
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task)
    this.queue = next.catch(() => undefined)
    return next
  }
}
