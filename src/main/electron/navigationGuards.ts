/**
 * True when `url` is part of the app itself (the built renderer on app://, or the dev server in development).
 * Everything else is refused inside the window.
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const target = new URL(url)
    const app = new URL(appUrl)
    if (app.protocol === 'file:') return target.protocol === 'file:' && target.pathname === app.pathname
    // A custom scheme's origin is "null" to the URL parser, so the scheme and host are compared instead.
    if (app.protocol !== 'http:' && app.protocol !== 'https:') return target.protocol === app.protocol && target.host === app.host
    return target.origin === app.origin
  } catch {
    return false
  }
}

/** The URL to hand to the system browser, or null. Only plain https links leave the app. */
export function externalUrlToOpen(url: string): string | null {
  try {
    const target = new URL(url)
    return target.protocol === 'https:' && !target.username && !target.password ? target.href : null
  } catch {
    return null
  }
}

/** True when an IPC message comes from the app's own top frame, not an iframe or a navigated page. */
export function isTrustedSender(frame: { url: string; parent: unknown } | null | undefined, appUrl: string): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url, appUrl)
}
