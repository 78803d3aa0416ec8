import { describe, expect, it } from 'vitest'
import type { HardwareInfo, ModelFit } from '../../src/shared/models.js'
import { loadCatalog } from '../../src/main/models/catalog.js'
import { estimateCpuTokensPerSecond, recommendModel } from '../../src/main/models/recommend.js'

const catalog = loadCatalog()
const GB = 1e9

function hardware(overrides: Partial<HardwareInfo>): HardwareInfo {
  return {
    gpu: null,
    gpuNames: [],
    vramTotalBytes: 0,
    vramFreeBytes: 0,
    ramTotalBytes: 16 * GB,
    ramFreeBytes: 12 * GB,
    cpuCores: 8,
    ...overrides,
  }
}

function fits(kindFor: (sizeBytes: number) => ModelFit['kind']): Map<string, ModelFit> {
  return new Map(
    catalog.map((entry) => [
      entry.id,
      {
        kind: kindFor(entry.sizeBytes),
        gpuLayers: 0,
        totalLayers: 32,
        contextSize: 4096,
        ramBytes: entry.sizeBytes,
        vramBytes: 0,
        note: null,
      },
    ]),
  )
}

const byId = (id: string | null) => catalog.find((entry) => entry.id === id)

describe('recommending a catalog model for this PC', () => {
  it('picks the largest model that runs fully on the GPU (the grids reward parameters)', () => {
    const gpu = hardware({ gpu: 'cuda', vramTotalBytes: 8 * GB, vramFreeBytes: 7 * GB })
    const chosen = byId(
      recommendModel(
        catalog,
        fits((size) => (size < 4.8 * GB ? 'gpu-full' : 'gpu-partial')),
        gpu,
      ),
    )
    expect(chosen?.parameters).toBe(Math.max(...catalog.filter((e) => e.sizeBytes < 4.8 * GB).map((e) => e.parameters)))
  })

  it('on a small GPU, a smaller model fully on it beats a bigger one split with the CPU', () => {
    const gpu = hardware({ gpu: 'vulkan', vramTotalBytes: 2 * GB, vramFreeBytes: 1.8 * GB })
    const chosen = byId(
      recommendModel(
        catalog,
        fits((size) => (size < 1.2 * GB ? 'gpu-full' : 'gpu-partial')),
        gpu,
      ),
    )
    expect(chosen!.sizeBytes).toBeLessThan(1.2 * GB)
  })

  it('without a GPU, the largest model that stays comfortably above the grid speed floor on these cores', () => {
    const two = byId(
      recommendModel(
        catalog,
        fits(() => 'cpu'),
        hardware({ cpuCores: 2 }),
      ),
    )!
    const sixteen = byId(
      recommendModel(
        catalog,
        fits(() => 'cpu'),
        hardware({ cpuCores: 16 }),
      ),
    )!
    expect(estimateCpuTokensPerSecond(two.sizeBytes, 2)).toBeGreaterThanOrEqual(15)
    expect(sixteen.parameters).toBeGreaterThan(two.parameters)
    expect(estimateCpuTokensPerSecond(sixteen.sizeBytes, 16)).toBeGreaterThanOrEqual(15)
  })

  it('on a GPU where every model only fits partly, still recommends one that is fast enough', () => {
    const igpu = hardware({ gpu: 'vulkan', vramTotalBytes: 0.5 * GB, vramFreeBytes: 0.4 * GB, cpuCores: 4 })
    const chosen = byId(
      recommendModel(
        catalog,
        fits(() => 'gpu-partial'),
        igpu,
      ),
    )
    expect(chosen).toBeDefined()
    expect(estimateCpuTokensPerSecond(chosen!.sizeBytes, 4)).toBeGreaterThanOrEqual(15)
  })

  it('recommends nothing that is too large or not yet estimated', () => {
    expect(
      recommendModel(
        catalog,
        fits(() => 'too-large'),
        hardware({}),
      ),
    ).toBeNull()
    expect(recommendModel(catalog, new Map(), hardware({}))).toBeNull()
    expect(
      recommendModel(
        catalog,
        fits(() => 'unknown'),
        hardware({}),
      ),
    ).toBeNull()
  })
})
