import { useState } from 'react'
import { configureLocalApi, errorStore, localApiStore, regenerateLocalApiToken } from '../../api/appState'
import { useStore } from '../../api/store'
import { BridgePanel } from '../bridge/BridgePanel'
import { AlertsSettings } from './AlertsSettings'
import { MetricsSettings } from './MetricsSettings'
import { DesktopSettings } from './DesktopSettings'

/** Settings: the local OpenAI/KoboldAI API for other apps (off by default), alerts, and the desktop's own. */
export function SettingsView() {
  const localApi = useStore(localApiStore)
  const error = useStore(errorStore)
  const [port, setPort] = useState(localApi?.settings.port ?? 5001)
  const [origins, setOrigins] = useState((localApi?.settings.corsOrigins ?? []).join(', '))
  if (!localApi) return <p className="view-loading">Loading…</p>
  const { settings } = localApi

  return (
    <section className="settings" aria-label="Settings">
      <div className="settings-card">
        <h2>Local API</h2>
        <p className="muted">
          Lets other apps on this PC (SillyTavern, editors, scripts) use the loaded model through an OpenAI- or KoboldAI-compatible API.
          Requests pause mining like local chat does.
        </p>
        {error && (
          <div className="error" role="alert">
            {error.message}
          </div>
        )}
        <label className="toggle">
          <input
            type="checkbox"
            checked={settings.enabled}
            onChange={(e) => void configureLocalApi({ ...settings, port, enabled: e.target.checked })}
          />
          Enable the local API
        </label>
        <label>
          Port
          <input
            type="number"
            min={1024}
            max={65535}
            value={port}
            onChange={(e) => setPort(Number(e.target.value))}
            onBlur={() => port !== settings.port && void configureLocalApi({ ...settings, port })}
          />
        </label>
        <label>
          Allowed web origins (CORS), comma-separated; leave empty unless a web app must call the API
          <input
            value={origins}
            placeholder="none"
            onChange={(e) => setOrigins(e.target.value)}
            onBlur={() => {
              const corsOrigins = origins
                .split(',')
                .map((o) => o.trim())
                .filter(Boolean)
              if (corsOrigins.join() !== settings.corsOrigins.join()) void configureLocalApi({ ...settings, port, corsOrigins })
            }}
          />
        </label>
        {localApi.warning && <p className="error-text">{localApi.warning}</p>}
        {localApi.running && localApi.url && (
          <dl className="api-details">
            <div>
              <dt>OpenAI base URL</dt>
              <dd>
                <code>{localApi.url}/v1</code>
              </dd>
            </div>
            <div>
              <dt>KoboldAI URL</dt>
              <dd>
                <code>{localApi.url}</code>
              </dd>
            </div>
            <div>
              <dt>Bearer token</dt>
              <dd>
                <code data-testid="api-token">{localApi.token}</code>{' '}
                <button type="button" onClick={() => void navigator.clipboard?.writeText(localApi.token ?? '')}>
                  Copy
                </button>{' '}
                <button type="button" onClick={() => void regenerateLocalApiToken()}>
                  Regenerate
                </button>
              </dd>
            </div>
          </dl>
        )}
      </div>
      <BridgePanel />
      <AlertsSettings />
      <MetricsSettings />
      <DesktopSettings />
    </section>
  )
}
