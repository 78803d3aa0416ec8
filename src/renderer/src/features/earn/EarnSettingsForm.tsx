import { useState } from 'react'
import type { EarnSnapshot, GridNetwork } from '../../../../shared/domain'
import { configureEarn, saveApiKey } from '../../api/appState'
import { useSaveFeedback } from '../../components/useSaveFeedback'
import { SaveFeedback } from '../../components/SaveFeedback'

const KEY_STORAGE = {
  encrypted: "The key is kept encrypted with this computer's keychain and never shown again.",
  'private-file': 'The key is kept in a private file in the data folder that only your OS account can read, and never shown again.',
} as const

/** Network, worker name, limits and the API key (write-only: the host shows only its last four characters). */
export function EarnSettingsForm({ earn, disabled }: { earn: EarnSnapshot; disabled: boolean }) {
  const [settings, setSettings] = useState(earn.settings)
  const [apiKey, setApiKey] = useState('')
  const feedback = useSaveFeedback()
  const set = <K extends keyof typeof settings>(key: K, value: (typeof settings)[K]) => setSettings({ ...settings, [key]: value })

  return (
    <form
      className="earn-settings"
      aria-label="Miner settings"
      onSubmit={(event) => {
        event.preventDefault()
        void feedback.run(async () => {
          // Settings first: the key is checked against the grid URL and worker name being saved.
          if (!(await configureEarn(settings))) return false
          if (!apiKey.trim()) return 'Settings saved.'
          if (!(await saveApiKey(settings.network, apiKey.trim()))) return false
          setApiKey('')
          return 'Settings saved; the grid accepted the key.'
        })
      }}
    >
      <fieldset disabled={disabled}>
        <legend>Miner settings</legend>
        <label>
          Network
          <select value={settings.network} onChange={(e) => set('network', e.target.value as GridNetwork)}>
            <option value="aipg">AI Power Grid</option>
            <option value="horde">AI Horde</option>
          </select>
        </label>
        <label>
          API key
          <input
            type="password"
            autoComplete="off"
            placeholder={
              earn.apiKeyLastFour && earn.settings.network === settings.network ? `saved (…${earn.apiKeyLastFour})` : 'paste your key'
            }
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
          />
        </label>
        <p className="muted small">{KEY_STORAGE[earn.apiKeyStorage ?? 'private-file']}</p>
        {earn.apiKeyNeedsCheck && earn.settings.network === settings.network && (
          <p className="muted" role="status">
            Your saved key was checked against another grid, so it is not sent to this one. Paste it again and save to check it here.
          </p>
        )}
        <label>
          Worker name
          <input value={settings.workerName} onChange={(e) => set('workerName', e.target.value)} maxLength={100} />
        </label>
        <label>
          Grid URL
          <input value={settings.gridUrl} placeholder="the network's own grid" onChange={(e) => set('gridUrl', e.target.value.trim())} />
        </label>
        <label>
          Slots
          <input
            type="number"
            min={1}
            max={8}
            value={settings.slots ?? ''}
            placeholder="chosen for this PC"
            onChange={(e) => set('slots', e.target.value === '' ? null : Number(e.target.value))}
          />
        </label>
        <label>
          Max length
          <input type="number" min={16} value={settings.maxLength} onChange={(e) => set('maxLength', Number(e.target.value))} />
        </label>
        <label>
          Max context
          <input
            type="number"
            min={256}
            value={settings.maxContextLength}
            onChange={(e) => set('maxContextLength', Number(e.target.value))}
          />
        </label>
        <div className="save-row">
          <button type="submit" disabled={feedback.saving}>
            Save settings
          </button>
          <SaveFeedback feedback={feedback} />
        </div>
      </fieldset>
    </form>
  )
}
