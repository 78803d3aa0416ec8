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
  /** The wallet the grid says the account is paid to (lower case); null when unknown (no key, offline, none set). */
  accountWallet: string | null
  /** The one-click device enrollment this rig started, or how it ended; null when none was started since launch. */
  enrollment: EnrollmentStatus | null
}

/**
 * waiting: the approval page is open for the owner; retrying: the grid cannot be reached, still waiting; done: the
 * grid's certificate is installed and its API key saved; denied / expired: nothing installed; off: the grid does not
 * offer enrollment (sign by hand); failed: something else, said in `message`.
 */
export type EnrollmentState = 'waiting' | 'retrying' | 'done' | 'denied' | 'expired' | 'off' | 'failed'

/** A device enrollment (§16.2) as the UI and the CLI see it: never the poll token or the API key. */
export interface EnrollmentStatus {
  state: EnrollmentState
  workerName: string
  /** Where the owner approves this rig (the AIPG console); null once it ended. */
  authorizeUrl: string | null
  /** Unix seconds after which the approval link no longer works. */
  expiresAt: number | null
  /** What is happening, or what went wrong and what to do, in one or two sentences. */
  message: string
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

/** `identity.enroll`'s input: the worker name the delegation will name, and how long it lasts. */
export const identityEnrollSchema = z.strictObject({
  workerName: z.string().trim().min(1).max(120),
  validDays: z.number().int().min(1).max(365),
})
