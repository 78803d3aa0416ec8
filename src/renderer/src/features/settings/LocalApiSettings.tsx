import { useState } from 'react'
import type { LocalApiSettings as Settings } from '../../../../shared/domain'
import { configureLocalApi, errorStore, localApiStore, regenerateLocalApiToken } from '../../api/appState'
import { useStore } from '../../api/store'
import { SaveFeedback } from '../../components/SaveFeedback'
import { useSaveFeedback } from '../../components/useSaveFeedback'

/**
 * The local OpenAI/KoboldAI API for other apps (off by default). Every change confirms or errors beside
 * the controls; the toggle shows whether the API runs, so an enable that failed (a port in use) stays off, and the
 * host stores it off (a restart does not try again); a start that failed at launch says why beside the toggle too.
 */
export function LocalApiSettings() {
  const localApi = useStore(localApiStore)
  const feedback = useSaveFeedback()
  const [port, setPort] = useState(localApi?.settings.port ?? 5001)
  const [origins, setOrigins] = useState((localApi?.settings.corsOrigins ?? []).join(', '))
  if (!localApi) return <p className="view-loading">Loading…</p>
  const { settings } = localApi
  const on = settings.enabled && localApi.error === null
  const save = (next: Settings) =>
    void feedback.run(async () => {
      if (!(await configureLocalApi(next))) return false
      const now = localApiStore.get()
      if (!next.enabled) return 'Saved: the local API is off.'
      return now?.running && now.url ? `Saved: the local API answers at ${now.url}.` : 'Saved.'
    })

  return (
    <div className="settings-card">
      <h2>Local API</h2>
      <p className="muted">
        Lets other apps on this PC (SillyTavern, editors, scripts) use the loaded model through an OpenAI- or KoboldAI-compatible API.
        Requests pause mining like local chat does.
      </p>
      <div className="save-row">
        <label className="toggle">
          <input type="checkbox" checked={on} onChange={(e) => save({ ...settings, port, enabled: e.target.checked })} />
          Enable the local API
        </label>
        <SaveFeedback feedback={feedback} />
        {/* A start that failed without a click here (at launch) still says why beside the toggle. */}
        {!feedback.error && !feedback.saving && localApi.error && (
          <span className="save-feedback error-text" role="alert">
            {localApi.error}
          </span>
        )}
      </div>
      <label>
        Port
        <input
          type="number"
          min={1024}
          max={65535}
          value={port}
          onChange={(e) => setPort(Number(e.target.value))}
          onBlur={() => port !== settings.port && save({ ...settings, port })}
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
            if (corsOrigins.join() !== settings.corsOrigins.join()) save({ ...settings, port, corsOrigins })
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
              <button
                type="button"
                onClick={() =>
                  void feedback.run(async () => {
                    await regenerateLocalApiToken()
                    return errorStore.get() ? false : 'A new token is in use; apps with the old one are refused.'
                  })
                }
              >
                Regenerate
              </button>
            </dd>
          </div>
        </dl>
      )}
    </div>
  )
}
