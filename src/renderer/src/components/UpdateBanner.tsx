import { desktopStore, restartToUpdate } from '../api/desktopState'
import { useStore } from '../api/store'

/** "Restart to update" across the top of the window once an update is downloaded (desktop only). */
export function UpdateBanner() {
  const desktop = useStore(desktopStore)
  const update = desktop?.update
  if (!update || (update.state !== 'ready' && update.state !== 'waiting-for-idle')) return null
  return (
    <div className="banner update-banner" role="status">
      {update.state === 'ready' ? (
        <>
          GridForge {update.version} is ready.{' '}
          <button type="button" onClick={() => void restartToUpdate()}>
            Restart to update
          </button>
        </>
      ) : (
        update.detail
      )}
    </div>
  )
}
