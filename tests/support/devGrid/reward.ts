/** §12: 1.2 + 2.2^log2(ctx/1024), clamped to [0.1, 30]. */
export function contextMultiplier(promptTokens: number): number {
  const multiplier = 1.2 + 2.2 ** Math.log2(Math.max(promptTokens, 0) / 1024)
  return Math.min(Math.max(multiplier, 0.1), 30)
}

/**
 * §12 / §13.2 for a model the grid has no parameter count for (multiplier 1.0, bonus 1.0), with
 * AIPG's floor of 0.1 so a tiny test model still earns something visible.
 */
export function referenceReward(tokens: number, promptTokens: number): number {
  const raw = (tokens / 125) * contextMultiplier(promptTokens)
  return Math.max(Math.round(raw * 100) / 100, 0.1)
}

/** The horde's character-based estimate: min(max(ceil(len/4), 20), max_length). */
export function hordeThings(text: string, maxLength: number): number {
  return Math.min(Math.max(Math.ceil(text.length / 4), 20), maxLength)
}

/** Stands in for tiktoken o200k_base, which averages about four characters per token. */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}
