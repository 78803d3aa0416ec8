import type { Alert, AlertConfigureRequest, AlertKind, AlertSettingsView, AlertTestResult } from '../../shared/alerts.js'
import { Emitter } from '../lib/emitter.js'
import type { SettingsRepository } from '../store/settingsRepository.js'
import { AlertSettingsStore, alertSettingsView } from './alertSettingsStore.js'
import { DeliveryQueue } from './deliveryQueue.js'
import { RepeatLimiter } from './repeatLimiter.js'
import { webhookBody } from './webhookBody.js'
import { DEFAULT_WEBHOOK_POLICY, postWebhook, type WebhookOutcome, type WebhookPolicy } from './webhookPost.js'

/** The desktop's notifications (the Electron shell); headless hosts write a log line instead. */
export interface DesktopNotifier {
  notify(alert: Alert): void
}

/** Headless: the alert as one log line. */
export const logNotifier = (log: (line: string) => void): DesktopNotifier => ({
  notify: (alert) => log(`alert: ${alert.title}: ${alert.body}`),
})

export interface AlertServiceDependencies {
  settings: Pick<SettingsRepository, 'get' | 'set'>
  notifier: DesktopNotifier
  /** The rig's worker name, sent with webhook alerts so one channel can serve many rigs. */
  rigName?: () => string | null
  webhook?: Partial<WebhookPolicy>
  now?: () => number
  log?: (line: string) => void
}

/** What the alert service tells: each alert it delivered (metrics may count them). */
export interface AlertEvents {
  alert: Alert
}

/**
 * Delivers alerts to the desktop and a webhook: each kind can be turned off, the same kind goes out at most
 * once per repeat window, and delivery runs on a bounded queue so raising an alert never waits.
 */
export class AlertService {
  private readonly store: AlertSettingsStore
  private readonly limiter: RepeatLimiter
  private readonly queue: DeliveryQueue
  private readonly policy: WebhookPolicy
  private readonly events: Emitter<AlertEvents>
  private readonly now: () => number
  private readonly log: (line: string) => void

  constructor(private readonly deps: AlertServiceDependencies) {
    this.now = deps.now ?? Date.now
    this.log = deps.log ?? (() => undefined)
    this.store = new AlertSettingsStore(deps.settings)
    this.limiter = new RepeatLimiter(this.now)
    this.queue = new DeliveryQueue(this.log)
    this.policy = { ...DEFAULT_WEBHOOK_POLICY, ...deps.webhook }
    this.events = new Emitter(deps.log)
  }

  settings(): AlertSettingsView {
    return alertSettingsView(this.store.current())
  }

  configure(request: AlertConfigureRequest): AlertSettingsView {
    return alertSettingsView(this.store.save(request))
  }

  /** How long a rig of the account must be offline before it is told. */
  offlineMs(): number {
    return this.store.current().offlineMinutes * 60_000
  }

  on<K extends keyof AlertEvents & string>(name: K, listener: (payload: AlertEvents[K]) => void): () => void {
    return this.events.on(name, listener)
  }

  /** Raises an alert of `kind`; false when that kind is off or went out within the repeat window. Never waits. */
  raise(kind: AlertKind, title: string, body: string): boolean {
    const settings = this.store.current()
    if (!settings.enabled || !settings.kinds[kind]) return false
    if (!this.limiter.allow(kind, settings.repeatMinutes * 60_000)) return false
    const alert: Alert = { kind, title, body, at: this.now() }
    this.events.emit('alert', alert)
    if (settings.desktop) this.notifyDesktop(alert)
    const { url, format } = settings.webhook
    if (url) {
      this.queue.push(async () => {
        const outcome = await postWebhook(url, webhookBody(alert, format, this.deps.rigName?.() ?? null), this.policy)
        if (!outcome.ok) this.log(`alerts: ${kind} not delivered: ${outcome.message}`)
      })
    }
    return true
  }

  /** "Send a test alert": through every channel that is on, past the switches and the repeat window; waits for the webhook. */
  async test(): Promise<AlertTestResult> {
    const settings = this.store.current()
    const alert: Alert = { kind: 'test', title: 'GridForge test alert', body: 'Alerts from this rig reach you here.', at: this.now() }
    if (settings.desktop) this.notifyDesktop(alert)
    const { url, format } = settings.webhook
    // Asked for by the user and time-limited: it goes out at once rather than behind queued alerts.
    const outcome: WebhookOutcome | null = url
      ? await postWebhook(url, webhookBody(alert, format, this.deps.rigName?.() ?? null), this.policy)
      : null
    return {
      desktop: settings.desktop ? 'sent' : 'off',
      webhook: outcome === null ? 'off' : outcome.ok ? 'sent' : 'failed',
      message: outcome && !outcome.ok ? outcome.message : null,
    }
  }

  /** Resolves once every queued delivery has been tried. */
  idle(): Promise<void> {
    return this.queue.idle()
  }

  private notifyDesktop(alert: Alert): void {
    try {
      this.deps.notifier.notify(alert)
    } catch (error) {
      this.log(`alerts: the desktop notification failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
}
