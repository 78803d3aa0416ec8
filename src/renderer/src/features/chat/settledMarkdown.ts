const FENCE = /^ {0,3}(`{3,}|~{3,})/

/**
 * Splits a reply that is still streaming into the part that can no longer change how it renders (up to the
 * last blank line outside a code fence) and the tail still being written. The settled part is rendered once
 * and memoised, so each new batch of tokens only re-renders the short tail.
 */
export function splitSettled(text: string): { settled: string; tail: string } {
  let fence: string | null = null
  let settledEnd = 0
  let offset = 0
  for (const line of text.split('\n')) {
    const next = offset + line.length + 1
    const marker = FENCE.exec(line)?.[1]
    if (marker) {
      if (fence === null) fence = marker
      else if (marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null
    } else if (fence === null && line.trim() === '' && next <= text.length) {
      settledEnd = next
    }
    offset = next
  }
  return { settled: text.slice(0, settledEnd), tail: text.slice(settledEnd) }
}
