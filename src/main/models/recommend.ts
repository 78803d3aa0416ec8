import type { CatalogEntry, HardwareInfo, ModelFit } from '../../shared/models.js'

/**
 * Generation speed the grid expects of small models: the AI Horde counts a worker as slow below 5 tokens/s
 * (grid-protocol.md §12), measured over the whole job, prompt included. A CPU recommendation aims at 3× that
 * for generation alone, because on a CPU the prompt takes a large share of the job.
 */
const CPU_TARGET_TOKENS_PER_SECOND = 15

/**
 * CPU generation is bound by reading every weight once per token. Measured on this project's bench machine
 * (2 cores): a 1.17 GB model generates about 23 tokens/s at 2 threads, about 13.5 GB/s of weights per core;
 * dual-channel desktop memory caps that at roughly 50 GB/s however many cores there are.
 */
const CPU_WEIGHT_BYTES_PER_SECOND_PER_CORE = 13.5e9
const MEMORY_BANDWIDTH_CAP = 50e9

/** Estimated CPU-only generation speed of a model of `sizeBytes` on `cores` cores. */
export function estimateCpuTokensPerSecond(sizeBytes: number, cores: number): number {
  const bandwidth = Math.min(CPU_WEIGHT_BYTES_PER_SECOND_PER_CORE * Math.max(1, cores), MEMORY_BANDWIDTH_CAP)
  return bandwidth / sizeBytes
}

/**
 * The catalog model worth running on this machine: the largest (the grids reward parameters) that runs
 * fully on the GPU, or without a GPU the largest that fits in memory and stays comfortably fast on the CPU.
 * Null when nothing is known to fit yet.
 */
export function recommendModel(
  entries: readonly CatalogEntry[],
  fits: ReadonlyMap<string, ModelFit>,
  hardware: HardwareInfo,
): string | null {
  const runnable = entries.filter((entry) => {
    const fit = fits.get(entry.id)
    if (!fit) return false
    if (hardware.gpu && fit.kind === 'gpu-full') return true
    // Partly on a small GPU is at least as fast as the CPU alone, so the CPU estimate is a safe floor.
    return (
      (fit.kind === 'cpu' || fit.kind === 'gpu-partial') &&
      estimateCpuTokensPerSecond(entry.sizeBytes, hardware.cpuCores) >= CPU_TARGET_TOKENS_PER_SECOND
    )
  })
  const gpuFull = runnable.filter((entry) => fits.get(entry.id)?.kind === 'gpu-full')
  const pool = gpuFull.length > 0 ? gpuFull : runnable
  const best = [...pool].sort((a, b) => b.parameters - a.parameters || a.sizeBytes - b.sizeBytes)[0]
  return best?.id ?? null
}
