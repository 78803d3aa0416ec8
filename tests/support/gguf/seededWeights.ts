/**
 * Deterministic pseudo-random weights (mulberry32): the same seed gives the same bytes on every
 * machine, so a generated model file is reproducible and its cache key says everything about it.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Uniform values in [-scale, scale). */
export function randomValues(random: () => number, count: number, scale: number): Float32Array {
  const values = new Float32Array(count)
  for (let i = 0; i < count; i++) values[i] = (random() * 2 - 1) * scale
  return values
}

export function filledValues(count: number, value: number): Float32Array {
  return new Float32Array(count).fill(value)
}
