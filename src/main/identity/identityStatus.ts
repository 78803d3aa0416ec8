import type { DelegationPayload } from '../../grid/identity/delegation.js'
import { DAY_SECONDS } from '../../grid/identity/protocol.js'

/** Renewal is offered this long before a delegation expires. */
export const RENEW_BEFORE_DAYS = 14

/** none: no delegation; installed: in force; expiring: in force, renew now; expired: registrations go unsigned. */
export type IdentityState = 'none' | 'installed' | 'expiring' | 'expired'

/** What the UI and the CLI show. Holds no key material: the private key never leaves the service. */
export interface IdentityStatus {
  state: IdentityState
  /** The worker signer, lower case (what core compares). */
  address: string
  delegation: { payoutWallet: string; workerName: string; delegationId: string; issuedAt: number; expiresAt: number } | null
  /** A delegation request waiting for its signature (`identity install`). */
  pending: { payoutWallet: string; workerName: string; expiresAt: number } | null
  /** Why a saved delegation was set aside, in one sentence. */
  problem: string | null
}

/** The state of a delegation at `now` (unix seconds). */
export function delegationState(payload: DelegationPayload | null, now: number): IdentityState {
  if (!payload) return 'none'
  if (payload.expires_at <= now) return 'expired'
  return payload.expires_at - now <= RENEW_BEFORE_DAYS * DAY_SECONDS ? 'expiring' : 'installed'
}
