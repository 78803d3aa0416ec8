import { useState } from 'react'
import { ALERT_KINDS, WEBHOOK_FORMATS, type AlertKind, type AlertTestResult, type WebhookFormat } from '../../../../shared/alerts'
import { alertRequest, alertsErrorStore, alertsStore, alertTestStore, configureAlerts, sendTestAlert } from '../../api/alertsState'
import { useStore } from '../../api/store'

const KIND_LABELS: Record<AlertKind, string> = {
  'rig-offline': 'A rig of the account goes offline',
  evicted: 'This rig is evicted or in the grid’s cooldown',
  'strike-burst': 'A burst of strikes (failed or empty answers)',
  'engine-restarts': 'The engine restarts in a loop',
  'payout-sent': 'A payout is sent',
  'gpu-hot': 'The GPU goes over its temperature limit',
}

const FORMAT_LABELS: Record<WebhookFormat, string> = { json: 'Generic JSON', discord: 'Discord', slack: 'Slack' }

function testWords(result: AlertTestResult): string {
  const desktop = result.desktop === 'sent' ? 'Desktop notification sent.' : 'Desktop notifications are off.'
  const webhook =
    result.webhook === 'sent'
      ? 'The webhook accepted it.'
      : result.webhook === 'off'
        ? 'No webhook is set.'
        : `Webhook: ${result.message ?? 'failed'}`
  return `${desktop} ${webhook}`
}

/** Settings › Alerts: what to be told about, on the desktop and through a webhook. */
export function AlertsSettings() {
  const view = useStore(alertsStore)
  const error = useStore(alertsErrorStore)
  const test = useStore(alertTestStore)
  const [url, setUrl] = useState('')
  const [testing, setTesting] = useState(false)
  if (!view) return null
  const save = (change: Parameters<typeof alertRequest>[1]) => void configureAlerts(alertRequest(view, change))

  return (
    <div className="settings-card" aria-label="Alerts">
      <h2>Alerts</h2>
      <p className="muted">
        Be told when a rig goes offline, gets evicted or runs hot: on this desktop and through a webhook (Discord, Slack or your own).
      </p>
      {error && (
        <div className="error" role="alert">
          {error.message}
        </div>
      )}
      <label className="toggle">
        <input type="checkbox" checked={view.enabled} onChange={(e) => save({ enabled: e.target.checked })} />
        Send alerts
      </label>
      <fieldset disabled={!view.enabled}>
        {ALERT_KINDS.map((kind) => (
          <label className="toggle" key={kind}>
            <input
              type="checkbox"
              checked={view.kinds[kind]}
              onChange={(e) => save({ kinds: { ...view.kinds, [kind]: e.target.checked } })}
            />
            {KIND_LABELS[kind]}
          </label>
        ))}
        <label>
          Offline for (minutes) before a rig is reported
          <input
            type="number"
            min={1}
            max={1440}
            defaultValue={view.offlineMinutes}
            onBlur={(e) => Number(e.target.value) !== view.offlineMinutes && save({ offlineMinutes: Number(e.target.value) })}
          />
        </label>
        <label>
          Repeat the same alert at most every (minutes)
          <input
            type="number"
            min={1}
            max={1440}
            defaultValue={view.repeatMinutes}
            onBlur={(e) => Number(e.target.value) !== view.repeatMinutes && save({ repeatMinutes: Number(e.target.value) })}
          />
        </label>
        <label className="toggle">
          <input type="checkbox" checked={view.desktop} onChange={(e) => save({ desktop: e.target.checked })} />
          Desktop notifications
        </label>
        <label>
          Webhook URL {view.webhook.configured && <span className="muted">(set: {view.webhook.hint})</span>}
          <input
            type="url"
            value={url}
            placeholder={view.webhook.configured ? 'paste a new URL to replace it' : 'https://discord.com/api/webhooks/…'}
            onChange={(e) => setUrl(e.target.value)}
          />
        </label>
        <label>
          Webhook body
          <select value={view.webhook.format} onChange={(e) => save({ webhook: { format: e.target.value as WebhookFormat } })}>
            {WEBHOOK_FORMATS.map((format) => (
              <option key={format} value={format}>
                {FORMAT_LABELS[format]}
              </option>
            ))}
          </select>
        </label>
        <div>
          <button
            type="button"
            disabled={!url.trim()}
            onClick={() =>
              void configureAlerts(alertRequest(view, { webhook: { url: url.trim(), format: view.webhook.format } })).then(
                (ok) => ok && setUrl(''),
              )
            }
          >
            Save webhook
          </button>{' '}
          {view.webhook.configured && (
            <button type="button" onClick={() => save({ webhook: { url: '', format: view.webhook.format } })}>
              Remove webhook
            </button>
          )}{' '}
          <button
            type="button"
            disabled={testing}
            onClick={() => {
              setTesting(true)
              void sendTestAlert().finally(() => setTesting(false))
            }}
          >
            {testing ? 'Sending…' : 'Send a test alert'}
          </button>
        </div>
        {test && (
          <p role="status" data-testid="alert-test">
            {testWords(test)}
          </p>
        )}
      </fieldset>
    </div>
  )
}
