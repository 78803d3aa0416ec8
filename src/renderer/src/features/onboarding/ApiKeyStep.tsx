import { useState } from 'react'
import type { EarnSnapshot } from '../../../../shared/domain'
import { configureEarn, errorStore, saveApiKey } from '../../api/appState'
import { useStore } from '../../api/store'
import { AIPG_SITE } from './onboardingText'

/** Step 3: the AIPG API key (checked by the grid before it is saved) and the worker name. */
export function ApiKeyStep({ earn, onSaved }: { earn: EarnSnapshot; onSaved: () => void }) {
  const error = useStore(errorStore)
  const [apiKey, setApiKey] = useState('')
  const [workerName, setWorkerName] = useState(earn.settings.workerName)
  const [gridUrl, setGridUrl] = useState(earn.settings.gridUrl)
  const [checking, setChecking] = useState(false)
  const saved = earn.settings.network === 'aipg' && earn.apiKeyLastFour

  const submit = async () => {
    setChecking(true)
    try {
      // The grid checks the key as this worker, on this grid: both are saved first.
      const settings = { ...earn.settings, network: 'aipg' as const, workerName: workerName.trim(), gridUrl }
      if (!(await configureEarn(settings))) return
      if (!apiKey.trim()) {
        if (saved) onSaved()
        return
      }
      if (await saveApiKey('aipg', apiKey.trim())) {
        setApiKey('')
        onSaved()
      }
    } finally {
      setChecking(false)
    }
  }

  return (
    <form
      className="onboarding-step"
      aria-label="Your AIPG API key"
      onSubmit={(event) => {
        event.preventDefault()
        void submit()
      }}
    >
      <h2>Your AIPG API key</h2>
      <p>
        The key tells the grid whose account to reward. Get one at{' '}
        <a href={AIPG_SITE} target="_blank" rel="noopener noreferrer">
          {AIPG_SITE}
        </a>{' '}
        (sign in, then create an API key with the <strong>worker</strong> scope) and paste it here. GridForge asks the grid whether it
        accepts the key before saving it, keeps it encrypted, and never shows it again.
      </p>
      <label>
        API key
        <input
          type="password"
          autoComplete="off"
          placeholder={saved ? `saved (…${earn.apiKeyLastFour})` : 'paste your key'}
          value={apiKey}
          onChange={(event) => setApiKey(event.target.value)}
        />
      </label>
      <label>
        Worker name
        <input value={workerName} maxLength={100} onChange={(event) => setWorkerName(event.target.value)} />
      </label>
      <details>
        <summary>Another grid</summary>
        <label>
          Grid URL
          <input value={gridUrl} placeholder="the AI Power Grid" onChange={(event) => setGridUrl(event.target.value.trim())} />
        </label>
      </details>
      {error && (
        <p className="error-text" role="alert">
          {error.message}
        </p>
      )}
      <button type="submit" disabled={checking || (!apiKey.trim() && !saved) || !workerName.trim()}>
        {checking ? 'Checking with the grid…' : apiKey.trim() || !saved ? 'Check and save the key' : 'Keep the saved key'}
      </button>
    </form>
  )
}
