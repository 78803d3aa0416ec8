import { describe, expect, it } from 'vitest'
import { StopMatcher } from '../../src/main/engine/stopMatcher.js'

/** Streams `chunks` through a matcher; returns what it emitted and the stop it matched. */
function stream(stops: string[] | undefined, chunks: string[], keep = false) {
  const matcher = new StopMatcher(stops, keep)
  const emitted: string[] = []
  for (const chunk of chunks) {
    const safe = matcher.push(chunk)
    if (safe) emitted.push(safe)
    if (matcher.stop !== null) break
  }
  const rest = matcher.flush()
  if (rest) emitted.push(rest)
  return { text: emitted.join(''), pieces: emitted, stop: matcher.stop }
}

describe('the stop matcher', () => {
  it('stops on a stop that starts inside a token (" the" in ", there")', () => {
    expect(stream([' the'], [',', ' there', ' was', ' a'])).toEqual({ text: ',', pieces: [','], stop: ' the' })
  })

  it('matches a stop spread over several chunks and never streams any part of it', () => {
    const result = stream(['<STOP_ab12>'], ['0123', '<ST', 'OP_', 'ab', '12>', 'tail'])
    expect(result.text).toBe('0123')
    expect(result.pieces.join('')).not.toContain('<')
    expect(result.stop).toBe('<STOP_ab12>')
  })

  it('releases held text when what followed was not the stop', () => {
    const result = stream(['<STOP>'], ['a<S', 'x', 'b'])
    expect(result).toMatchObject({ text: 'a<Sxb', stop: null })
  })

  it('releases a held stop prefix at the end of generation', () => {
    expect(stream(['END'], ['the E', 'N'])).toMatchObject({ text: 'the EN', stop: null })
  })

  it('keeps the stop in the text when asked (the AI Horde rule)', () => {
    expect(stream(['\nYou:'], ['Hi', '\nYo', 'u: more'], true)).toMatchObject({ text: 'Hi\nYou:', stop: '\nYou:' })
  })

  it('ends at the earliest of several stops', () => {
    expect(stream(['bb', 'a b'], ['xa bb'])).toMatchObject({ text: 'x', stop: 'a b' })
  })

  it('ignores empty stops and passes text through without stops', () => {
    expect(stream(['', ''], ['abc', 'def'])).toMatchObject({ text: 'abcdef', stop: null })
    expect(stream(undefined, ['abc'])).toMatchObject({ text: 'abc', stop: null })
  })

  it('emits nothing after a match', () => {
    const matcher = new StopMatcher(['x'])
    expect(matcher.push('axb')).toBe('a')
    expect(matcher.push('more')).toBe('')
    expect(matcher.flush()).toBe('')
  })
})
