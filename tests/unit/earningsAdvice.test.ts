import { describe, expect, it } from 'vitest'
import type { NetworkDemand } from '../../src/grid/networkDemand.js'
import { adviseEarnings, type AdviceCandidate } from '../../src/main/advisor/earningsAdvice.js'

/** §16.5 written out again, independently of src/grid/denFormula.ts (no rounding tie falls in these inputs). */
const den = (tokens: number, mult: number) =>
  Math.max(Math.round(((tokens * (Math.max(mult, 13) / 13) ** 0.2 * mult) / 125) * 100) / 100, 0.1)
const perHour = (tokensPerSecond: number, tokens: number, mult: number) =>
  Math.round(((3600 * tokensPerSecond) / tokens) * den(tokens, mult) * 100) / 100

const candidate = (key: string, over: Partial<AdviceCandidate> = {}): AdviceCandidate => ({
  key,
  name: key,
  downloaded: false,
  advertisedName: key,
  multiplier: 1,
  fit: 'gpu-full',
  measuredTokensPerSecond: null,
  cpuTokensPerSecond: 12,
  servingNow: false,
  ...over,
})

const demand = (workers: Record<string, number>, speeds: Record<string, number> = {}): NetworkDemand => ({
  redundancyTarget: 3,
  belowTarget: new Set(
    Object.entries(workers)
      .filter(([, n]) => n < 3)
      .map(([name]) => name),
  ),
  workers: new Map(Object.entries(workers)),
  gridTokensPerSecond: new Map(Object.entries(speeds)),
})

describe('the earnings advisor', () => {
  it("estimates den per hour from the speed, §16.5's formula and the multiplier, and says which worker you would be", () => {
    const { entries, recommended } = adviseEarnings(
      [
        candidate('gpt-oss-20b', { multiplier: 20, measuredTokensPerSecond: 10 }),
        candidate('grid/Qwen2.5-0.5B-Instruct', { measuredTokensPerSecond: 80 }),
      ],
      demand({ 'gpt-oss-20b': 1, 'grid/Qwen2.5-0.5B-Instruct': 5 }),
      200,
    )
    expect(entries.map((entry) => entry.key)).toEqual(['gpt-oss-20b', 'grid/Qwen2.5-0.5B-Instruct'])
    expect(entries[0]).toMatchObject({
      tokensPerSecond: 10,
      speedSource: 'measured',
      denPerAnswer: den(200, 20),
      denPerHour: perHour(10, 200, 20),
      workers: 1,
      needsWorkers: true,
      workerNumber: 2,
    })
    // Eight times faster, but each answer earns 1/22 as much: the registered model still wins on den per hour.
    expect(entries[1]!.denPerHour).toBe(perHour(80, 200, 1))
    expect(entries[1]!.denPerHour!).toBeLessThan(entries[0]!.denPerHour!)
    expect(recommended).toBe('gpt-oss-20b')
  })

  it('puts models the grid is short of workers for first, then ranks by den per hour; models that do not fit are left out', () => {
    const { entries, recommended } = adviseEarnings(
      [
        candidate('crowded-fast', { measuredTokensPerSecond: 200, multiplier: 27 }),
        candidate('wanted-slow', { measuredTokensPerSecond: 20 }),
        candidate('nobody-serves-it', { measuredTokensPerSecond: 30 }),
        candidate('too-big', { fit: 'too-large', multiplier: 120, measuredTokensPerSecond: 100 }),
        candidate('not-estimated', { fit: 'unknown' }),
      ],
      demand({ 'crowded-fast': 4, 'wanted-slow': 2 }),
      100,
    )
    expect(entries.map((entry) => [entry.key, entry.needsWorkers, entry.workerNumber])).toEqual([
      ['nobody-serves-it', true, 1],
      ['wanted-slow', true, 3],
      ['crowded-fast', false, 5],
    ])
    expect(recommended).toBe('nobody-serves-it')
  })

  it("speeds: this PC's measurement, else the grid's workers' on a GPU, else the CPU estimate; the rig's own model is not counted twice", () => {
    const { entries } = adviseEarnings(
      [
        candidate('on-gpu', { cpuTokensPerSecond: 5 }),
        candidate('on-cpu', { fit: 'cpu', cpuTokensPerSecond: 7 }),
        candidate('serving', { measuredTokensPerSecond: 40, servingNow: true }),
      ],
      demand({ 'on-gpu': 3, 'on-cpu': 3, serving: 3 }, { 'on-gpu': 55, 'on-cpu': 90 }),
      64,
    )
    const byKey = Object.fromEntries(entries.map((entry) => [entry.key, entry]))
    expect(byKey['on-gpu']).toMatchObject({ tokensPerSecond: 55, speedSource: 'grid' })
    expect(byKey['on-cpu']).toMatchObject({ tokensPerSecond: 7, speedSource: 'cpu-estimate' })
    expect(byKey.serving).toMatchObject({ tokensPerSecond: 40, speedSource: 'measured', workerNumber: null })
  })

  it('without the grid it ranks by den per hour alone and claims no demand', () => {
    const { entries } = adviseEarnings(
      [candidate('a', { measuredTokensPerSecond: 10 }), candidate('b', { measuredTokensPerSecond: 30 })],
      null,
      128,
    )
    expect(entries.map((entry) => [entry.key, entry.workers, entry.needsWorkers, entry.workerNumber])).toEqual([
      ['b', null, null, null],
      ['a', null, null, null],
    ])
  })
})
