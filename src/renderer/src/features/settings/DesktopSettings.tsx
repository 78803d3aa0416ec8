import {
  appInfoStore,
  checkForUpdates,
  desktopErrorStore,
  desktopStore,
  openLogsFolder,
  restartToUpdate,
  setLoginItem,
  setSpellcheck,
} from '../../api/desktopState'
import { useStore } from '../../api/store'
import type { UpdateSnapshot } from '../../../../shared/domain'

/** The updater's state in words. */
function updateWords(update: UpdateSnapshot): string {
  switch (update.state) {
    case 'disabled':
      return `Updates are off: ${update.detail ?? 'not available in this build'}.`
    case 'idle':
      return 'GridForge checks for updates shortly after it starts and every 4 hours.'
    case 'checking':
      return 'Checking for updates…'
    case 'up-to-date':
      return 'GridForge is up to date.'
    case 'downloading':
      return `Downloading version ${update.version ?? ''}… ${Math.round((update.progress ?? 0) * 100)}%`
    case 'ready':
      // The detail says why an install did not happen, or how this package installs.
      return update.detail ?? `Version ${update.version ?? ''} is ready. It installs when you restart GridForge.`
    case 'waiting-for-idle':
      return update.detail ?? 'The update waits for running work to finish.'
    case 'error':
      return update.detail ?? 'Could not check for updates.'
  }
}

/** Settings only the desktop app has: start at login, updates, and where the logs are. Hidden in a browser. */
export function DesktopSettings() {
  const info = useStore(appInfoStore)
  const desktop = useStore(desktopStore)
  const error = useStore(desktopErrorStore)
  if (!info || info.shell !== 'desktop' || !desktop) return null
  const { loginItem, update, spellcheck, notices } = desktop
  const ready = update.state === 'ready' || update.state === 'waiting-for-idle'

  return (
    <section className="settings-desktop" aria-label="Desktop">
      {notices.length > 0 && (
        <>
          <h2>This desktop</h2>
          <ul className="desktop-notices" data-testid="desktop-notices">
            {notices.map((notice) => (
              <li key={notice.kind} className="muted">
                {notice.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Start at login</h2>
      {error && (
        <div className="error" role="alert">
          {error.message}
        </div>
      )}
      <label className="toggle">
        <input
          type="checkbox"
          checked={loginItem.openAtLogin}
          onChange={(e) => void setLoginItem({ ...loginItem, openAtLogin: e.target.checked })}
        />
        Start GridForge when I log in
      </label>
      <label className="toggle">
        <input
          type="checkbox"
          disabled={!loginItem.openAtLogin}
          checked={loginItem.startHidden}
          onChange={(e) => void setLoginItem({ ...loginItem, startHidden: e.target.checked })}
        />
        Start hidden in the tray
      </label>
      <label className="toggle">
        <input
          type="checkbox"
          disabled={!loginItem.openAtLogin}
          checked={loginItem.startEarning}
          onChange={(e) => void setLoginItem({ ...loginItem, startEarning: e.target.checked })}
        />
        Start earning right away
      </label>

      <h2>Typing</h2>
      <label className="toggle">
        <input type="checkbox" checked={spellcheck} onChange={(e) => void setSpellcheck(e.target.checked)} />
        Check spelling while I type
      </label>
      <p className="muted">
        Off by default: on Windows and Linux, turning it on downloads spelling dictionaries from Google. macOS uses its own spellchecker.
      </p>

      <h2>Updates</h2>
      <p role="status" data-testid="update-state">
        {updateWords(update)}
      </p>
      <div>
        {ready ? (
          <button type="button" onClick={() => void restartToUpdate()} disabled={update.state === 'waiting-for-idle'}>
            Restart to update
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void checkForUpdates()}
            disabled={update.state === 'disabled' || update.state === 'checking' || update.state === 'downloading'}
          >
            Check for updates
          </button>
        )}
      </div>

      <h2>Logs</h2>
      <p className="muted">
        GridForge writes its log to <code data-testid="logs-dir">{info.logsDir}</code> (never your API keys or job text). Attach it when you
        report a problem.
      </p>
      <div>
        <button type="button" onClick={() => void openLogsFolder()}>
          Open logs folder
        </button>
      </div>
    </section>
  )
}
