import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  bestSlots,
  calibratedSlots,
  calibrationKey,
  SlotCalibrationCache,
  slotCandidates,
  slotsWithinMemory,
} from '../../src/main/engine/slotCalibration.js'

const dirs: string[] = []
function cacheIn(): { cache: SlotCalibrationCache; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-slots-'))
  dirs.push(dir)
  const file = join(dir, 'slot-calibration.json')
  return { cache: new SlotCalibrationCache(file), file }
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('bestSlots', () => {
  it('picks the count with the highest aggregate on a bandwidth-bound model', () => {
    expect(
      bestSlots([
        { slots: 1, tokensPerSecond: 20 },
        { slots: 2, tokensPerSecond: 37 },
        { slots: 4, tokensPerSecond: 61 },
      ]),
    ).toBe(4)
  })

  it('keeps fewer slots when more only win by noise', () => {
    expect(
      bestSlots([
        { slots: 4, tokensPerSecond: 104 },
        { slots: 1, tokensPerSecond: 100 },
        { slots: 2, tokensPerSecond: 105 },
      ]),
    ).toBe(1)
  })

  it('does not go past a count that got slower', () => {
    expect(
      bestSlots([
        { slots: 1, tokensPerSecond: 20 },
        { slots: 2, tokensPerSecond: 36 },
        { slots: 4, tokensPerSecond: 30 },
      ]),
    ).toBe(2)
  })

  it('falls back to one slot with nothing measured', () => {
    expect(bestSlots([])).toBe(1)
  })
})

describe('slot limits', () => {
  it('tries powers of two up to the limit', () => {
    expect(slotCandidates(6)).toEqual([1, 2, 4])
    expect(slotCandidates(0)).toEqual([1])
  })

  it('holds as many KV caches as the free memory takes beside the reserve', () => {
    const mb = 1024 * 1024
    expect(slotsWithinMemory({ freeBytes: 1000 * mb, perSlotBytes: 92 * mb, reserveBytes: 600 * mb, limit: 8 })).toBe(4)
    expect(slotsWithinMemory({ freeBytes: 100 * mb, perSlotBytes: 92 * mb, reserveBytes: 600 * mb, limit: 8 })).toBe(1)
    expect(slotsWithinMemory({ freeBytes: 64_000 * mb, perSlotBytes: 92 * mb, reserveBytes: 600 * mb, limit: 8 })).toBe(8)
  })
})

describe('calibratedSlots', () => {
  const key = calibrationKey(
    { modelPath: '/m.gguf', modelBytes: 1, modelModifiedMs: 2, threads: 2, gpu: null, contextSize: 4096 },
    'cpu x2',
  )
  const measured = [
    { slots: 1, tokensPerSecond: 20 },
    { slots: 2, tokensPerSecond: 38 },
  ]

  it('measures once, then answers from the cache', async () => {
    const { cache } = cacheIn()
    let runs = 0
    const measure = async () => {
      runs++
      return measured
    }
    expect(await calibratedSlots(cache, key, measure)).toMatchObject({ slots: 2, cached: false })
    expect(await calibratedSlots(cache, key, measure)).toMatchObject({ slots: 2, cached: true, measurements: measured })
    expect(runs).toBe(1)
  })

  it('does not cache a cancelled calibration', async () => {
    const { cache } = cacheIn()
    expect(await calibratedSlots(cache, key, async () => null)).toBeNull()
    expect(await cache.get(key)).toBeNull()
  })

  it('calibrates again for another machine or another model file', () => {
    const base = { modelPath: '/m.gguf', modelBytes: 1, modelModifiedMs: 2, threads: 2, gpu: null, contextSize: 4096 }
    expect(calibrationKey(base, 'cpu x2')).not.toBe(calibrationKey(base, 'other cpu x2'))
    expect(calibrationKey(base, 'cpu x2')).not.toBe(calibrationKey({ ...base, modelModifiedMs: 3 }, 'cpu x2'))
  })

  it('treats a damaged cache file as empty and replaces it', async () => {
    const { cache, file } = cacheIn()
    writeFileSync(file, '{"not": "a calibration"')
    expect(await calibratedSlots(cache, key, async () => measured)).toMatchObject({ cached: false })
    expect(JSON.parse(readFileSync(file, 'utf8'))[key].slots).toBe(2)
  })
})
