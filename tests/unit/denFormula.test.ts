import { describe, expect, it } from 'vitest'
import { denForJob } from '../../src/grid/denFormula.js'

describe('den for an AIPG text job (§16.5)', () => {
  it('pays 200 tokens under gpt-oss-20b about 21.8 times what an unregistered name earns', () => {
    expect(denForJob(200, 1)).toBe(1.6)
    expect(denForJob(200, 20)).toBe(34.88)
    expect(denForJob(200, 20) / denForJob(200, 1)).toBeCloseTo(21.8, 1)
  })

  it('boosts multipliers above 13 by (mult/13)^0.2 and leaves those below unboosted', () => {
    // 100 × (120/13)^0.2 × 120 / 125 = 149.733… (Python: round(…, 2) = 149.73)
    expect(denForJob(100, 120)).toBe(149.73)
    // 125 tokens at 2×: no boost below 13, so exactly 2.
    expect(denForJob(125, 2)).toBe(2)
  })

  it('scales by the context multiplier and rounds to cents', () => {
    expect(denForJob(200, 1, 1.5)).toBe(2.4)
    expect(denForJob(333, 1)).toBe(2.66)
  })

  it("rounds as Python's round(x, 2) does: by the double's exact value, and exact ties to even", () => {
    // 2.675 and 1.005 are stored just below the half; 0.125 and 0.375 are exact ties (values from CPython).
    expect(denForJob(125, 1, 2.675)).toBe(2.67)
    expect(denForJob(125, 1, 1.005)).toBe(1)
    expect(denForJob(125, 1, 0.125)).toBe(0.12)
    expect(denForJob(125, 1, 0.375)).toBe(0.38)
  })

  it('never pays less than 0.1, even for nothing', () => {
    expect(denForJob(1, 1)).toBe(0.1)
    expect(denForJob(0, 20)).toBe(0.1)
  })
})
