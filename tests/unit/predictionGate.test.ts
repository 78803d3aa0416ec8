import { describe, expect, it } from 'vitest'
import { PredictionGate } from '../../src/main/engine/predictionGate.js'
import { mayPredict } from '../../src/main/engine/promptLookup.js'

const options = { window: 10, minRate: 0.35, pause: 20, maxPause: 80 }

/**
 * Drives a gate the way a generation does: one step per generated token, a draft on each allowed step,
 * accepted or refuted as `accepts(step)` says. Returns the steps that drafted.
 */
function run(gate: PredictionGate, steps: number, accepts: (step: number) => boolean): number[] {
  const counts = { validated: 0, refuted: 0 }
  const drafted: number[] = []
  for (let step = 0; step < steps; step++) {
    if (!gate.allow(step, counts)) continue
    drafted.push(step)
    if (accepts(step)) counts.validated++
    else counts.refuted++
  }
  return drafted
}

describe('the prediction gate', () => {
  it('keeps drafting while the model accepts the drafts', () => {
    const gate = new PredictionGate(options)
    expect(run(gate, 200, (step) => step % 2 === 0)).toHaveLength(200)
    expect(gate.rate).toBe(0.5)
  })

  it('stops after one window where the model refuses the drafts, and tries again later', () => {
    const gate = new PredictionGate(options)
    const drafted = run(gate, 60, () => false)
    expect(drafted.slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    // The eleventh step judges the window; it and the next 19 draft nothing, then one more window.
    expect(drafted.slice(10)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39])
    expect(gate.rate).toBe(0)
  })

  it('pauses longer after each poor window, up to the longest pause', () => {
    const gate = new PredictionGate(options)
    const drafted = run(gate, 1000, () => false)
    const windowStarts = drafted.filter((step, i) => i === 0 || drafted[i - 1] !== step - 1)
    const gaps = windowStarts.slice(1).map((step, i) => step - windowStarts[i]! - options.window)
    expect(gaps.slice(0, 4)).toEqual([20, 40, 80, 80])
    // Over a long reply that never repeats its prompt, most steps draft nothing.
    expect(drafted.length).toBeLessThan(1000 * 0.2)
  })

  it('resumes drafting for good when a later window is accepted (a reply that starts quoting)', () => {
    const gate = new PredictionGate(options)
    const drafted = run(gate, 300, (step) => step >= 30)
    expect(drafted.filter((step) => step >= 40)).toHaveLength(260)
  })

  it('judges a window just under the rate as poor', () => {
    const gate = new PredictionGate(options)
    // Three of ten accepted: 0.3 < 0.35.
    const drafted = run(gate, 30, (step) => step % 10 < 3)
    expect(drafted).toHaveLength(10)
  })
})

describe('which requests may draft', () => {
  it('allows greedy decoding, seeded or not, and unseeded sampling', () => {
    expect(mayPredict({ maxTokens: 10, temperature: 0 })).toBe(true)
    expect(mayPredict({ maxTokens: 10, temperature: 0, seed: 7 })).toBe(true)
    expect(mayPredict({ maxTokens: 10 })).toBe(true)
    expect(mayPredict({ maxTokens: 10, temperature: 0.8 })).toBe(true)
  })

  it('refuses seeded sampling (the same seed must give the same answer) and repeat penalties', () => {
    expect(mayPredict({ maxTokens: 10, temperature: 0.8, seed: 7 })).toBe(false)
    expect(mayPredict({ maxTokens: 10, temperature: 0, repeatPenalty: 1.1 })).toBe(false)
    expect(mayPredict({ maxTokens: 10, temperature: 0, repeatPenalty: 1 })).toBe(true)
  })
})
