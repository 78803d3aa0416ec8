import { describe, expect, it } from 'vitest'
import { orderedIds } from '../../src/main/chat/transfer/orderedIds.js'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('the ids of an import', () => {
  it('are UUIDv7s that sort in the order of the messages they were made for, and the same place gives the same id', () => {
    const idAt = orderedIds(Date.UTC(2026, 0, 1))
    const places = [0, 1, 2, 15, 16, 255, 256, 4_095, 4_096, 99_999, 100_000]
    const ids = places.map(idAt)
    for (const id of ids) expect(id).toMatch(UUID_V7)
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    expect(idAt(256)).toBe(ids[6])
  })

  it('differ between two imports made in the same millisecond', () => {
    const now = Date.UTC(2026, 0, 1)
    const first = orderedIds(now)
    const second = orderedIds(now)
    expect(first(0)).not.toBe(second(0))
    expect(first(0).slice(0, 13)).toBe(second(0).slice(0, 13))
  })
})
