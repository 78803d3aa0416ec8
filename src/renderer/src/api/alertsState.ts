import type { AlertConfigureRequest, AlertSettingsView, AlertTestResult } from '../../../shared/alerts'
import type { AppErrorShape } from '../../../shared/result'
import { api } from './bridge'
import { refreshOnConnect } from './reconnect'
import { createStore } from './store'

/** The alert settings (the webhook URL only as a hint); null until loaded. */
export const alertsStore = createStore<AlertSettingsView | null>(null)
/** The last error of an alerts call (a refused setting, in one sentence). */
export const alertsErrorStore = createStore<AppErrorShape | null>(null)
/** What the last "Send a test alert" did. */
export const alertTestStore = createStore<AlertTestResult | null>(null)

async function refresh(): Promise<void> {
  if (!api) return
  const result = await api.call('alerts.settings', {})
  if (result.ok) alertsStore.set(result.value)
}

/** Loads the alert settings, again after every reconnect. */
export function startAlertsState(): void {
  if (api) refreshOnConnect(refresh)
}

/** The request that keeps everything of `view` but `change`; the stored webhook URL stays unless `url` is given. */
export function alertRequest(view: AlertSettingsView, change: Partial<AlertConfigureRequest>): AlertConfigureRequest {
  const { webhook, ...rest } = view
  return { ...rest, webhook: { format: webhook.format }, ...change }
}

export async function configureAlerts(request: AlertConfigureRequest): Promise<boolean> {
  if (!api) return false
  const result = await api.call('alerts.configure', request)
  alertsErrorStore.set(result.ok ? null : result.error)
  if (result.ok) alertsStore.set(result.value)
  return result.ok
}

export async function sendTestAlert(): Promise<void> {
  if (!api) return
  alertTestStore.set(null)
  const result = await api.call('alerts.test', {})
  alertsErrorStore.set(result.ok ? null : result.error)
  if (result.ok) alertTestStore.set(result.value)
}
