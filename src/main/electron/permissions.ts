import { isAppUrl } from './navigationGuards.js'

/** Copy buttons write to the clipboard; nothing else the web platform offers is needed by the window. */
const GRANTED = new Set(['clipboard-sanitized-write'])

/**
 * Whether the window may use a web permission: only clipboard writes, and only from the app's own page
 * in the top frame (never a page it was navigated to, nor an embedded frame). Used by both the request
 * and the check handler of the session, which Chromium consults separately.
 */
export function permissionGranted(
  request: { permission: string; requestingUrl: string | undefined; isMainFrame: boolean },
  appUrl: string,
): boolean {
  return GRANTED.has(request.permission) && request.isMainFrame && !!request.requestingUrl && isAppUrl(request.requestingUrl, appUrl)
}
