/**
 * Finds stop strings in generated text as it streams, wherever they fall relative to token boundaries
 * (node-llama-cpp's stop triggers match whole tokens: `" the"` never stops `", there"`). Text that could
 * still become a stop is held back until the next chunk decides it, so a stop is never streamed.
 */
export class StopMatcher {
  private readonly stops: string[]
  private held = ''
  private matched: string | null = null

  /** `keep`: the matched stop stays at the end of the text (the AI Horde's rule). Empty stops are ignored. */
  constructor(
    stops: readonly string[] | undefined,
    private readonly keep = false,
  ) {
    this.stops = [...new Set((stops ?? []).filter((stop) => stop.length > 0))]
  }

  /** The stop that ended the text, once one has. */
  get stop(): string | null {
    return this.matched
  }

  /** Takes the next chunk; returns the text that is now safe to emit. After a match it returns '' for good. */
  push(text: string): string {
    if (this.matched !== null) return ''
    if (this.stops.length === 0) return text
    const buffer = this.held + text
    let at = -1
    let found: string | null = null
    for (const stop of this.stops) {
      const index = buffer.indexOf(stop)
      if (index >= 0 && (at < 0 || index < at)) {
        at = index
        found = stop
      }
    }
    if (found !== null) {
      this.matched = found
      this.held = ''
      return buffer.slice(0, at) + (this.keep ? found : '')
    }
    const hold = this.heldSuffix(buffer)
    this.held = buffer.slice(buffer.length - hold)
    return buffer.slice(0, buffer.length - hold)
  }

  /** At the end of generation: the held text, which no stop followed. */
  flush(): string {
    const rest = this.matched === null ? this.held : ''
    this.held = ''
    return rest
  }

  /** Length of the longest end of `buffer` that begins some stop; runs per token, so it copies no strings. */
  private heldSuffix(buffer: string): number {
    let longest = 0
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, buffer.length); length > longest; length--) {
        if (endsWithStart(buffer, stop, length)) {
          longest = length
          break
        }
      }
    }
    return longest
  }
}

/** Whether the last `length` characters of `buffer` are the first `length` of `stop`. */
function endsWithStart(buffer: string, stop: string, length: number): boolean {
  const from = buffer.length - length
  for (let i = 0; i < length; i++) if (buffer.charCodeAt(from + i) !== stop.charCodeAt(i)) return false
  return true
}
