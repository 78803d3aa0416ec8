import type { ConnectionState } from '../api/webSocketApi'

const DEFAULT_PORT = '5199'
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** The command that starts the server this page was served by (its port and address when not the defaults). */
export function serveCommandFor(location: Pick<Location, 'hostname' | 'port'>): string {
  const host = LOOPBACK.has(location.hostname) ? '' : ` --host ${location.hostname.replace(/^\[|\]$/g, '')}`
  const port = location.port && location.port !== DEFAULT_PORT ? ` --port ${location.port}` : ''
  return `gridforge serve${host}${port}`
}

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
