/**
 * Den for one AIPG text job as core computes it (grid-protocol.md §16.5): `max(round(tokens ×
 * (max(mult, 13) / 13)^0.2 × mult / 125 × ctx_mult, 2), 0.1)`. `tokens` are core's recount (content +
 * reasoning, capped by the request's max_length); `contextMultiplier` is core's `ctx_mult` (1 when unknown).
 */
export function denForJob(tokens: number, multiplier: number, contextMultiplier = 1): number {
  const raw = ((Math.max(0, tokens) * (Math.max(multiplier, 13) / 13) ** 0.2 * multiplier) / 125) * contextMultiplier
  return Math.max(pythonRound2(raw), 0.1)
}

/**
 * Python's `round(x, 2)`, which core uses: the decimal nearest to the double's exact value (what `toFixed`
 * gives), except that an exact tie goes to the even neighbour where `toFixed` goes up. A two-decimal tie is
 * exactly representable only when x is a multiple of 1/8, so only those are checked.
 */
function pythonRound2(value: number): number {
  const scaled = value * 100
  if (Number.isInteger(value * 8) && !Number.isInteger(scaled)) {
    const floor = Math.floor(scaled)
    return (floor % 2 === 0 ? floor : floor + 1) / 100
  }
  return Number(value.toFixed(2))
}
