import type { ConnectionState } from '../api/webSocketApi'
import { serveCommandFor } from './serveCommand'

/** What the page says while it is not connected; the client keeps retrying and the banner goes once it is back. */
export function ConnectionBanner({ connection }: { connection: ConnectionState }) {
  if (connection === 'open' || connection === 'unauthorized') return null
  if (connection === 'down') {
    return (
      <div className="banner connection-down" role="alert">
        Connection lost: GridForge is not running at {window.location.origin}, start it with <code>{serveCommandFor(window.location)}</code>
        . This page reconnects by itself when it is back.
      </div>
    )
  }
  return (
    <div className="banner" role="status">
      {connection === 'connecting' ? 'Connecting to GridForge…' : 'Connection lost; reconnecting…'}
    </div>
  )
}
