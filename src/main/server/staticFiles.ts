import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { SECURITY_HEADERS } from './securityHeaders.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

/**
 * Serves the built renderer; unknown paths fall back to index.html, nothing outside `root` is served: a
 * path is checked by name and again after its symlinks are resolved, so a link inside the folder cannot
 * point out of it.
 */
export function staticFiles(root: string) {
  let realRoot: Promise<string | null> | null = null
  const within = (path: string, folder: string) => path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep)
  const resolvedInside = async (path: string): Promise<boolean> => {
    realRoot ??= realpath(root).catch(() => null)
    const [folder, real] = await Promise.all([realRoot, realpath(path).catch(() => null)])
    return folder !== null && real !== null && within(real, folder)
  }
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD' }).end()
      return
    }
    const pathname = decodeURIComponentSafe(new URL(request.url ?? '/', 'http://localhost').pathname)
    const candidate = normalize(join(root, pathname ?? '/'))
    const inside = within(candidate, root)
    let file = inside ? candidate : join(root, 'index.html')
    let info = await stat(file).catch(() => null)
    if (!info?.isFile() || !(await resolvedInside(file))) {
      file = join(root, 'index.html')
      info = await stat(file).catch(() => null)
    }
    if (!info?.isFile()) {
      response.writeHead(503, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' })
      response.end('The UI is not built; run "npm run build".\n')
      return
    }
    const isHtml = extname(file) === '.html'
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      // Built assets have content hashes in their names; the HTML must always be fresh.
      'Cache-Control': isHtml ? 'no-cache' : 'public, max-age=31536000, immutable',
    })
    if (request.method === 'HEAD') response.end()
    // pipeline closes the file when the client goes away and turns read errors into a closed response.
    else pipeline(createReadStream(file), response, () => undefined)
  }
}

function decodeURIComponentSafe(value: string): string | null {
  try {
    return decodeURIComponent(value)
  } catch {
    return null
  }
}
