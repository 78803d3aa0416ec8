/** Fields flask-restx always fills in a text payload (§4.2, §4.3). */
export const PAYLOAD_DEFAULTS = {
  max_context_length: 2048,
  max_length: 80,
  min_p: 0,
  smoothing_factor: 0,
  dynatemp_range: 0,
  dynatemp_exponent: 1,
} as const

/**
 * The worker-facing payload for a queued request: defaults filled, `n` dropped. The horde's range
 * checks on requester params (§4.2 table) are deliberately not applied, so tests can hand a
 * worker hostile values (negative temperature, huge max_length, unknown keys, empty prompt).
 */
export function hordePayload(payload: Record<string, unknown>): Record<string, unknown> {
  if (typeof payload.prompt !== 'string') throw new Error('enqueueHorde: payload.prompt must be a string')
  const { n: _n, ...rest } = payload
  return { ...PAYLOAD_DEFAULTS, ...rest }
}
