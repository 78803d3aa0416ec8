import { describe, expect, it } from 'vitest'
import { replyStatsText } from '../../src/renderer/src/features/chat/replyStatsText.js'

describe('the stats line under a reply', () => {
  it('gives the speed, the count and why it ended', () => {
    expect(replyStatsText({ tokens: 96, durationMs: 8000, finishReason: 'length' })).toBe(
      '12.0 tokens/s · 96 tokens · hit the length limit',
    )
    expect(replyStatsText({ tokens: 1, durationMs: 250, finishReason: 'stop' })).toBe('4.0 tokens/s · 1 token · finished')
  })

  it('leaves out counts the backend did not report instead of showing 0 tokens/s', () => {
    expect(replyStatsText({ tokens: 0, durationMs: 5000, finishReason: 'stop' })).toBe('finished')
    expect(replyStatsText({ tokens: 12, durationMs: 0, finishReason: 'abort' })).toBe('12 tokens · stopped')
  })
})
