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
    expect(physicalCores(smt, 4)).toBe(2)
  })

  it('counts the cores of every socket', () => {
    const twoSockets = cpuinfo([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ])
    expect(physicalCores(twoSockets, 4)).toBe(4)
  })

  it('never counts more cores than this process may use (a container limited to fewer CPUs)', () => {
    const eight = cpuinfo(Array.from({ length: 8 }, (_, core): [number, number] => [0, core]))
    expect(physicalCores(eight, 3)).toBe(3)
  })

  it('falls back to the logical count without /proc/cpuinfo', () => {
    expect(physicalCores(null, 6)).toBe(6)
    expect(physicalCores('', 6)).toBe(6)
  })
})
