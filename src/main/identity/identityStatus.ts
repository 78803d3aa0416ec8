import type { DelegationPayload } from '../../grid/identity/delegation.js'
import { DAY_SECONDS } from '../../grid/identity/protocol.js'
import type { IdentityState } from '../../shared/identity.js'

export type { IdentityState, IdentityStatus } from '../../shared/identity.js'

/** Renewal is offered this long before a delegation expires. */
export const RENEW_BEFORE_DAYS = 14

/** The state of a delegation at `now` (unix seconds). */
export function delegationState(payload: DelegationPayload | null, now: number): IdentityState {
  if (!payload) return 'none'
  if (payload.expires_at <= now) return 'expired'
  return payload.expires_at - now <= RENEW_BEFORE_DAYS * DAY_SECONDS ? 'expiring' : 'installed'
}
