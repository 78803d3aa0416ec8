import { describe, expect, it } from 'vitest'
import { chooseThreads, physicalCores, SMALL_MODEL_BYTES } from '../../src/main/engine/threads.js'

const cpuinfo = (cores: Array<[physical: number, core: number]>) =>
  cores.map(([p, c], i) => `processor\t: ${i}\nphysical id\t: ${p}\ncore id\t\t: ${c}\n`).join('\n')

describe('thread choice', () => {
  it('uses one thread for tiny models, whose graphs are too small to share', () => {
    expect(chooseThreads(1_185_376, 8)).toBe(1)
    expect(chooseThreads(SMALL_MODEL_BYTES - 1, 2)).toBe(1)
  })

  it('uses every physical core for real models, never the library default of at least 4', () => {
    expect(chooseThreads(1_200_000_000, 2)).toBe(2)
    expect(chooseThreads(4_000_000_000, 8)).toBe(8)
  })

  it('counts physical cores, not hyper-threads', () => {
    // 2 cores with 2 hardware threads each: 4 processors, 2 cores.
    const smt = cpuinfo([
      [0, 0],
      [0, 1],
      [0, 0],
      [0, 1],
    ])
    expect(physicalCores(smt)).toBeLessThanOrEqual(2)
    expect(physicalCores(smt)).toBeGreaterThanOrEqual(1)
  })

  it('falls back to the logical count without /proc/cpuinfo', () => {
    expect(physicalCores(null)).toBeGreaterThanOrEqual(1)
  })
})
