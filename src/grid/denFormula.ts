/**
 * Den for one AIPG text job as core computes it (grid-protocol.md §16.5): `max(round(tokens ×
 * (max(mult, 13) / 13)^0.2 × mult / 125 × ctx_mult, 2), 0.1)`. `tokens` are core's recount (content +
 * reasoning, capped by the request's max_length); `contextMultiplier` is core's `ctx_mult` (1 when unknown).
 */
export function denForJob(tokens: number, multiplier: number, contextMultiplier = 1): number {
  const raw = ((Math.max(0, tokens) * (Math.max(multiplier, 13) / 13) ** 0.2 * multiplier) / 125) * contextMultiplier
  return Math.max(roundHalfEven(raw, 2), 0.1)
}

/** Python's `round(x, 2)`: halves go to the even neighbour (on the decimal value, as repr shows it). */
function roundHalfEven(value: number, digits: number): number {
  const scale = 10 ** digits
  const scaled = Number((value * scale).toPrecision(15))
  const floor = Math.floor(scaled)
  const diff = scaled - floor
  if (diff > 0.5) return (floor + 1) / scale
  if (diff < 0.5) return floor / scale
  return (floor % 2 === 0 ? floor : floor + 1) / scale
}
