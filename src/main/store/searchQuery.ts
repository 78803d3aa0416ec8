/** Marks around matched words in FTS5 snippets; control characters never typed into a chat. */
export const SNIPPET_OPEN = '\u0002'
export const SNIPPET_CLOSE = '\u0003'

const MAX_TERMS = 16

/**
 * Turns what the user typed into an FTS5 query that cannot be a syntax error: every word becomes a
 * quoted phrase (quotes inside doubled), all must match, and the last one also matches as a prefix so
 * results come while typing. Returns null when nothing searchable is left.
 */
export function ftsQueryOf(input: string): string | null {
  const words = input
    .split(/\s+/)
    .map((word) => word.replace(/\p{Cc}/gu, ''))
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .slice(0, MAX_TERMS)
  if (words.length === 0) return null
  return words
    .map((word, index) => {
      const phrase = `"${word.replaceAll('"', '""')}"`
      return index === words.length - 1 ? `${phrase}*` : phrase
    })
    .join(' ')
}

/** Splits an FTS5 snippet with our marks into plain-text pieces, flagging the matched ones. */
export function snippetParts(snippet: string): Array<{ text: string; hit: boolean }> {
  const parts: Array<{ text: string; hit: boolean }> = []
  for (const [index, piece] of snippet.split(SNIPPET_OPEN).entries()) {
    if (index === 0) {
      if (piece) parts.push({ text: piece, hit: false })
      continue
    }
    const [hit = '', ...rest] = piece.split(SNIPPET_CLOSE)
    if (hit) parts.push({ text: hit, hit: true })
    const after = rest.join('')
    if (after) parts.push({ text: after, hit: false })
  }
  return parts
}
