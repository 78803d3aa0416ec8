const DEFAULT_PORT = '5199'
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** The command that starts the server this page was served by (its port and address when not the defaults). */
export function serveCommandFor(location: { hostname: string; port: string }): string {
  const host = LOOPBACK.has(location.hostname) ? '' : ` --host ${location.hostname.replace(/^\[|\]$/g, '')}`
  const port = location.port && location.port !== DEFAULT_PORT ? ` --port ${location.port}` : ''
  return `gridforge serve${host}${port}`
}
