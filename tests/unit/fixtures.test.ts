import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

describe('test fixtures', () => {
  it('ship the tiny model unmodified', () => {
    const bytes = readFileSync(new URL('../fixtures/models/stories260K.gguf', import.meta.url))
    expect(createHash('sha256').update(bytes).digest('hex')).toBe('270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d')
  })
})
