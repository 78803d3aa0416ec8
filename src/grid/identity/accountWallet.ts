import { z } from 'zod'
import { getGridJson, type GridAccess } from '../gridRequest.js'
import { parseAddress, type Address } from './address.js'

const accountSchema = z.looseObject({ payout_wallet: z.string().nullish().catch(null), wallet: z.string().nullish().catch(null) })

/**
 * The wallet core pays the account of this key (§16.2): its `payout_wallet` (set in the console), else its SIWE
 * wallet, from AIPG `GET /v1/account`. Null when the account has neither or the answer holds no address; a grid
 * failure is thrown as its GridError.
 */
export async function fetchAccountPayoutWallet(access: GridAccess): Promise<Address | null> {
  const account = accountSchema.parse(await getGridJson(access, '/account'))
  for (const candidate of [account.payout_wallet, account.wallet]) {
    if (!candidate) continue
    try {
      return parseAddress(candidate)
    } catch {
      // core accepts only valid addresses; anything else is not a wallet it could pay.
    }
  }
  return null
}
