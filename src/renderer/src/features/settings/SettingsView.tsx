import { errorStore } from '../../api/appState'
import { useStore } from '../../api/store'
import { BridgePanel } from '../bridge/BridgePanel'
import { AlertsSettings } from './AlertsSettings'
import { MetricsSettings } from './MetricsSettings'
import { DesktopSettings } from './DesktopSettings'
import { EngineSettings } from './EngineSettings'
import { DraftModelSettings } from './DraftModelSettings'
import { LocalApiSettings } from './LocalApiSettings'

/** Settings: the local OpenAI/KoboldAI API for other apps (off by default), alerts, and the desktop's own. */
export function SettingsView() {
  const error = useStore(errorStore)
  return (
    <section className="settings" aria-label="Settings">
      {error && (
        <div className="error" role="alert">
          {error.message}
        </div>
      )}
      <LocalApiSettings />
      <BridgePanel />
      <AlertsSettings />
      <MetricsSettings />
      <EngineSettings />
      <DraftModelSettings />
      <DesktopSettings />
    </section>
  )
}
