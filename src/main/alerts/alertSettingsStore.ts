import {
  alertSettingsSchema,
  DEFAULT_ALERT_SETTINGS,
  type AlertConfigureRequest,
  type AlertSettings,
  type AlertSettingsView,
} from '../../shared/alerts.js'
import type { SettingsRepository } from '../store/settingsRepository.js'

const KEY = 'alerts.settings'

/** The alert settings in the settings table, read through the schema (a hand-edited value falls back to the defaults). */
export class AlertSettingsStore {
  private cached: AlertSettings

  constructor(private readonly repository: Pick<SettingsRepository, 'get' | 'set'>) {
    this.cached = repository.get(KEY, alertSettingsSchema, DEFAULT_ALERT_SETTINGS)
  }

  current(): AlertSettings {
    return this.cached
  }

  /** A request without a webhook URL keeps the stored one: the renderer never holds it. */
  save(request: AlertConfigureRequest): AlertSettings {
    const url = request.webhook.url ?? this.cached.webhook.url
    const next = alertSettingsSchema.parse({ ...request, webhook: { url, format: request.webhook.format } })
    this.repository.set(KEY, next)
    this.cached = next
    return next
  }
}

/** The settings as the renderer sees them: the webhook's origin and last characters only. */
export function alertSettingsView(settings: AlertSettings): AlertSettingsView {
  const { webhook, ...rest } = settings
  return { ...rest, webhook: { configured: webhook.url !== '', hint: webhookHint(webhook.url), format: webhook.format } }
}

function webhookHint(url: string): string | null {
  if (!url) return null
  const parsed = new URL(url)
  return `${parsed.origin}/…${url.slice(-4)}`
}
