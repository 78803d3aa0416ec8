import { availableParallelism } from 'node:os'
import { readFileSync } from 'node:fs'

/**
 * Below this many bytes of weights a token's compute graph is too small to split across threads: the
 * cost of waking and joining helper threads exceeds the work. Measured on 2 cores with the 1.2 MB test
 * model: 1 thread ~2000 tok/s, 2 threads clearly slower. Real chat models (hundreds of MB and up)
 * are memory-bandwidth bound and gain from every physical core.
 */
export const SMALL_MODEL_BYTES = 64 * 1024 * 1024

/**
 * Physical cores, not hyper-threads: llama.cpp's matrix kernels saturate a core's vector units, so a
 * second hardware thread on the same core adds contention, not speed (llama.cpp's own default does the
 * same). Falls back to the logical count where /proc/cpuinfo is not available.
 */
export function physicalCores(cpuinfo: string | null = readCpuinfo(), logical = availableParallelism()): number {
  if (!cpuinfo) return logical
  const cores = new Set<string>()
  let physicalId = '0'
  for (const line of cpuinfo.split('\n')) {
    const [key, value] = line.split(':').map((part) => part.trim())
    if (key === 'physical id') physicalId = value ?? '0'
    if (key === 'core id') cores.add(`${physicalId}:${value ?? ''}`)
  }
  return cores.size > 0 ? Math.min(cores.size, logical) : logical
}

function readCpuinfo(): string | null {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8')
  } catch {
    return null
  }
}

/**
 * The thread count for CPU inference. Chosen here, never left to node-llama-cpp's CPU default of at
 * least 4 threads, which on a 2-core machine oversubscribes and runs ~30x slower.
 */
export function chooseThreads(modelBytes: number, cores: number = physicalCores()): number {
  if (modelBytes < SMALL_MODEL_BYTES) return 1
  return Math.max(1, cores)
}
