import { realpath } from 'node:fs/promises'
import { resolve, sep } from 'node:path'

/** The renderer is served from `app://gridforge/` rather than file:// (Electron's security checklist, item 18). */
export const APP_SCHEME = 'app'
export const APP_HOST = 'gridforge'
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/**
 * Registered before the app is ready: a standard scheme gets an origin of its own (so CSP 'self' means
 * the app and nothing else, and relative URLs resolve), a secure one counts as a secure context, and
 * fetch may load from it. No CORS, no service workers, no bypass of the CSP.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const

/** Why an app:// request is not answered with a file. */
export type AppRequestRefusal = { status: 400 | 404; reason: string }

/**
 * The renderer file an app:// request names, or why it is refused: another host, a path that leaves the
 * renderer folder (`..`, encoded slashes or backslashes, NUL), a file that does not exist, or a link
 * inside the folder that points out of it (checked again after resolving links).
 */
export async function appFileFor(
  requestUrl: string,
  rendererDir: string,
  realPathOf: (path: string) => Promise<string | null> = (path) => realpath(path).catch(() => null),
): Promise<{ file: string } | AppRequestRefusal> {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return { status: 400, reason: 'not a URL' }
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { status: 404, reason: 'not the app' }
  let pathname: string
  try {
    pathname = decodeURIComponent(url.pathname)
  } catch {
    return { status: 400, reason: 'bad encoding' }
  }
  if (pathname.includes('\0')) return { status: 400, reason: 'NUL in the path' }
  const root = resolve(rendererDir)
  const candidate = resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`)
  if (!within(candidate, root)) return { status: 404, reason: 'outside the renderer folder' }
  const [realRoot, real] = await Promise.all([realPathOf(root), realPathOf(candidate)])
  if (realRoot === null || real === null) return { status: 404, reason: 'no such file' }
  if (!within(real, realRoot)) return { status: 404, reason: 'a link out of the renderer folder' }
  return { file: real }
}

function within(path: string, folder: string): boolean {
  return path !== folder && path.startsWith(folder.endsWith(sep) ? folder : folder + sep)
}
