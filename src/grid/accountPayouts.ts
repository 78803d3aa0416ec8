import { z } from 'zod'
import type { AccountPayouts, Payout } from '../shared/domain.js'
import { getGridJson, type GridAccess } from './gridRequest.js'

const amount = z.coerce.number().finite().nonnegative().catch(0)

const payoutSchema = z.looseObject({
  period_id: z.union([z.string(), z.number()]).transform(String),
  den: amount,
  aipg: amount,
  status: z.string().min(1).max(40).catch('unknown'),
  tx_hash: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/)
    .nullish()
    .catch(null),
  address: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .nullish()
    .catch(null),
})

const answerSchema = z.looseObject({
  accrued_aipg: amount,
  paid_aipg: amount,
  payouts: z.array(z.unknown()).catch([]),
})

/**
 * AIPG `GET /v1/account/payouts` (key): accrued and paid AIPG and each hourly payout with its status and
 * transaction (§16.6). A payout entry that does not fit is skipped; a hash that is not one is dropped.
 */
export async function fetchAccountPayouts(access: GridAccess): Promise<AccountPayouts> {
  const body = answerSchema.parse(await getGridJson(access, '/account/payouts'))
  const payouts = body.payouts.flatMap((entry): Payout[] => {
    const payout = payoutSchema.safeParse(entry)
    if (!payout.success) return []
    const { period_id, den, aipg, status, tx_hash, address } = payout.data
    return [{ periodId: period_id, den, aipg, status, txHash: tx_hash ?? null, address: address ?? null }]
  })
  return { accruedAipg: body.accrued_aipg, paidAipg: body.paid_aipg, payouts }
}
