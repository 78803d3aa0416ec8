/**
 * The origin (scheme, host, port) of a grid URL, stored with each grid reply: which grid read the
 * conversation. Only the origin, so no path or credentials in a URL ever reach the database.
 */
export function gridOriginOf(baseUrl: string): string | null {
  try {
    const origin = new URL(baseUrl).origin
    return origin === 'null' ? null : origin
  } catch {
    return null
  }
}
