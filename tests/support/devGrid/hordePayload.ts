import { z } from 'zod'

/** Fields flask-restx always fills in a text payload (§4.2, §4.3). */
export const PAYLOAD_DEFAULTS = {
  max_context_length: 2048,
  max_length: 80,
  min_p: 0,
  smoothing_factor: 0,
  dynatemp_range: 0,
  dynatemp_exponent: 1,
} as const

const unit = z.number().min(0).max(1)

/** A requester's params as the horde validates them (§4.2 table); unknown keys pass through. */
const requestPayloadSchema = z.looseObject({
  prompt: z.string().min(1),
  n: z.int().min(1).max(20).optional(),
  max_length: z.int().min(16).max(4096).default(PAYLOAD_DEFAULTS.max_length),
  max_context_length: z
    .int()
    .min(80)
    .max(1_048_576)
    .default(PAYLOAD_DEFAULTS.max_context_length),
  min_p: unit.default(PAYLOAD_DEFAULTS.min_p),
  smoothing_factor: z.number().min(0).max(10).default(PAYLOAD_DEFAULTS.smoothing_factor),
  dynatemp_range: z.number().min(0).max(5).default(PAYLOAD_DEFAULTS.dynatemp_range),
  dynatemp_exponent: z.number().min(0).max(5).default(PAYLOAD_DEFAULTS.dynatemp_exponent),
  temperature: z.number().min(0).max(5).optional(),
  top_p: z.number().min(0.001).max(1).optional(),
  top_k: z.int().min(0).max(200).optional(),
  top_a: unit.optional(),
  typical: unit.optional(),
  tfs: unit.optional(),
  rep_pen: z.number().min(1).max(3).optional(),
  rep_pen_range: z.int().min(0).max(4096).optional(),
  rep_pen_slope: z.number().min(0).max(10).optional(),
  stop_sequence: z.array(z.string()).max(128).optional(),
  sampler_order: z.array(z.int()).optional(),
})

/**
 * The worker-facing payload for a queued request: defaults filled, `n` dropped. Throws on what
 * the horde would refuse at submission time, so a test with a bad fixture fails loudly.
 */
export function hordePayload(payload: Record<string, unknown>): Record<string, unknown> {
  const parsed = requestPayloadSchema.safeParse(payload)
  if (!parsed.success) throw new Error(`enqueueHorde: invalid payload: ${z.prettifyError(parsed.error)}`)
  const { n: _n, ...rest } = parsed.data
  if (rest.max_context_length < rest.max_length) {
    throw new Error('enqueueHorde: TokenOverflow: max_context_length is below max_length')
  }
  if (rest.sampler_order && new Set(rest.sampler_order).size < 7) {
    throw new Error('enqueueHorde: MissingFullSamplerOrder: sampler_order needs 7 distinct samplers')
  }
  return rest
}
