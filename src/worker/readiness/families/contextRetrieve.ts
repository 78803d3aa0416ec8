import type { ReadinessFamily } from '../../../shared/readiness.js'
import { scoreExactToken } from '../answerText.js'
import { userProbe, type Canary } from '../canary.js'
import type { Random } from '../seededRandom.js'

/** The three sizes: records in the prompt, and the advertised context the grid requires before sending it. */
export const CONTEXT_TIERS = [
  { family: 'context.retrieve', contextTokens: 4096, records: 100, minAdvertised: 8192 },
  { family: 'context.retrieve.16k', contextTokens: 16_384, records: 400, minAdvertised: 32_768 },
  { family: 'context.retrieve.32k', contextTokens: 32_768, records: 800, minAdvertised: 65_536 },
] as const satisfies ReadonlyArray<{ family: ReadinessFamily; contextTokens: number; records: number; minAdvertised: number }>

export type ContextTier = (typeof CONTEXT_TIERS)[number]

const CITIES = ['Lisbon', 'Osaka', 'Quito', 'Tallinn', 'Accra', 'Perth', 'Oslo', 'Hanoi', 'Denver', 'Cairo'] as const
const COLORS = ['amber', 'teal', 'crimson', 'olive', 'indigo', 'coral', 'slate', 'ivory'] as const

/** context.retrieve: many records, one record's value asked for by its key. */
export function contextRetrieveCanary(random: Random, tier: ContextTier): Canary {
  const records = Array.from({ length: tier.records }, (_, index) => ({
    key: `rec-${index.toString().padStart(4, '0')}-${random.hex(6)}`,
    city: random.pick(CITIES),
    color: random.pick(COLORS),
    count: random.int(1, 999),
    value: random.hex(12),
  }))
  const target = records[random.int(Math.floor(tier.records / 5), tier.records - 1)]!
  const lines = records.map((r) => `key=${r.key} city=${r.city} color=${r.color} count=${r.count} value=${r.value}`)
  const prompt =
    `Below are ${tier.records} records, one per line.\n\n${lines.join('\n')}\n\n` +
    `What is the value of the record with key=${target.key}? Reply with only the value.`
  return {
    family: tier.family,
    body: userProbe(prompt),
    score: ([answer]) => scoreExactToken(answer!, target.value),
  }
}
