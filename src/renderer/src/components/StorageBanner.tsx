import { useEffect, useState } from 'react'
import type { StorageStatus } from '../../../shared/storage'
import { api, connectionStore } from '../api/bridge'
import { useStore } from '../api/store'

/** Across the top while the history is read-only (a full disk), with why; it goes once the disk has room. */
export function StorageBanner() {
  const connection = useStore(connectionStore)
  const [status, setStatus] = useState<StorageStatus | null>(null)
  useEffect(() => api?.on('storage.status', setStatus), [])
  useEffect(() => {
    if (connection !== 'open' || !api) return
    void api.call('storage.status', {}).then((result) => result.ok && setStatus(result.value))
  }, [connection])
  if (!status || status.writable) return null
  return (
    <div className="banner storage-read-only" role="alert">
      {status.reason}
    </div>
  )
}
