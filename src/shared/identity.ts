import { z } from 'zod'

/** none: no delegation; installed: in force; expiring: in force, renew now; expired: registrations go unsigned. */
export type IdentityState = 'none' | 'installed' | 'expiring' | 'expired'

/** The worker identity as the UI and the CLI see it. Holds no key material: the private key never leaves the host. */
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

/** A delegation for the user to sign in their wallet: the payload and the exact text the wallet signs. */
export interface IdentityRequest {
  payload: Record<string, string | number>
  message: string
}

/** `identity.request`'s input; addresses and names are checked again, with one-sentence errors, by the identity core. */
export const identityRequestSchema = z.strictObject({
  payoutWallet: z.string().trim().min(1).max(80),
  workerName: z.string().trim().min(1).max(128),
  validDays: z.number().int().min(1).max(365),
})

/** `identity.install`'s input: the pasted signature (checked by the identity core; its errors say what is wrong). */
export const identityInstallSchema = z.strictObject({ signature: z.string().trim().min(1).max(200) })
