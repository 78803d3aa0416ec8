import { describe, expect, it } from 'vitest'
import { chooseSlots, MAX_CALIBRATED_SLOTS } from '../../src/main/earn/slotChoice.js'
import { slotChoiceLine, slotChoiceText, slotsInUse } from '../../src/shared/slotChoiceText.js'

const measurements = [
  { slots: 1, tokensPerSecond: 9.84 },
  { slots: 2, tokensPerSecond: 15.1 },
  { slots: 4, tokensPerSecond: 15.9 },
]

function engine(answer: { slots: number; measurements: typeof measurements; cached: boolean } | null) {
  const asked: number[] = []
  return {
    asked,
    calibrateSlots: async (maxSlots: number) => {
      asked.push(maxSlots)
      return answer
    },
  }
}

describe('the slots a miner runs with', () => {
  it("is the user's setting, with nothing measured", async () => {
    const measuring = engine({ slots: 2, measurements, cached: false })
    const choice = await chooseSlots(measuring, 3, new AbortController().signal)
    expect(choice).toEqual({ slots: 3, source: 'setting', measurements: [] })
    expect(measuring.asked).toEqual([])
    expect(slotChoiceLine(choice!)).toBe('Slots: 3 (your setting)')
  })

  it('is the calibrated count without a setting, said with what was measured', async () => {
    const measuring = engine({ slots: 2, measurements, cached: true })
    const choice = await chooseSlots(measuring, null, new AbortController().signal)
    expect(measuring.asked).toEqual([MAX_CALIBRATED_SLOTS])
    expect(slotChoiceLine(choice!)).toBe('Slots: 2 (chosen for this PC: 1 → 9.8, 2 → 15.1, 4 → 15.9 tok/s)')
    expect(slotChoiceText(choice!)).toBe('2 (chosen for this PC)')
    expect(slotsInUse({ settings: { slots: null }, slots: choice })).toBe(2)
  })

  it('is one slot for this run when a chat cancelled the calibration, and nothing when Stop did', async () => {
    const cancelled = await chooseSlots(engine(null), null, new AbortController().signal)
    expect(cancelled).toMatchObject({ slots: 1, source: 'unmeasured' })
    expect(slotChoiceText(cancelled!)).toBe('1 (not measured yet: a chat or request came first)')
    const stop = new AbortController()
    stop.abort()
    expect(await chooseSlots(engine(null), null, stop.signal)).toBeNull()
  })
})
