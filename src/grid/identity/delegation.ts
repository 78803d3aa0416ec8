import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { parseAddress, type Address } from './address.js'
import { canonicalJson } from './canonicalJson.js'
import { IdentityError } from './identityError.js'
import { parseSignature, recoverPersonalSigner, type Signature } from './personalSign.js'
import {
  DAY_SECONDS,
  DELEGATION_AUDIENCE,
  DELEGATION_CHAIN_ID,
  DELEGATION_PREFIX,
  IDENTITY_VERSION,
  MAX_DELEGATION_DAYS,
  REGISTRATION_SKEW_SECONDS,
} from './protocol.js'

const lowerAddress = z.string().regex(/^0x[0-9a-f]{40}$/, 'must be a lower-case 0x address')
const unixSeconds = z.number().int().nonnegative()

/** §16.2's delegation payload, exactly these fields: core refuses any other set. */
export const delegationPayloadSchema = z.strictObject({
  version: z.literal(IDENTITY_VERSION),
  chain_id: z.number().int(),
  audience: z.string(),
  delegation_id: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits'),
  payout_wallet: lowerAddress,
  worker_signer: lowerAddress,
  worker_name: z.string().min(1).max(128),
  issued_at: unixSeconds,
  expires_at: unixSeconds,
})
export type DelegationPayload = z.infer<typeof delegationPayloadSchema>

/** A delegation signed by the payout wallet: what the registration frame carries as `worker_identity.delegation`. */
export const delegationCertificateSchema = z.strictObject({ payload: delegationPayloadSchema, signature: z.string() })
export type DelegationCertificate = { payload: DelegationPayload; signature: Signature }

/** What the user is asked to sign: the payload, and the exact text their wallet signs. */
export interface DelegationRequest {
  payload: DelegationPayload
  message: string
}

/** The text the payout wallet signs (EIP-191 personal_sign). */
export function delegationMessage(payload: DelegationPayload): string {
  return `${DELEGATION_PREFIX}${canonicalJson(payload)}`
}

/** Checks a worker name the way core does at registration: non-empty, at most 128 characters, no stray spaces. */
export function parseWorkerName(input: string): string {
  if (!input || input !== input.trim()) throw new IdentityError('The worker name must not be empty or start or end with spaces.')
  if (input.length > 128) throw new IdentityError('The worker name is longer than the 128 characters the grid accepts.')
  return input
}

/** Builds the delegation for this worker key, worker name and payout wallet, valid from `now` for `validDays`. */
export function buildDelegationRequest(input: {
  payoutWallet: string
  workerSigner: Address
  workerName: string
  validDays: number
  now: number
  delegationId?: string
}): DelegationRequest {
  if (!Number.isInteger(input.validDays) || input.validDays < 1 || input.validDays > MAX_DELEGATION_DAYS) {
    throw new IdentityError(`A delegation is valid for 1 to ${MAX_DELEGATION_DAYS} whole days, not ${input.validDays}.`)
  }
  const issuedAt = Math.floor(input.now)
  const payload = delegationPayloadSchema.parse({
    version: IDENTITY_VERSION,
    chain_id: DELEGATION_CHAIN_ID,
    audience: DELEGATION_AUDIENCE,
    delegation_id: input.delegationId ?? randomBytes(16).toString('hex'),
    payout_wallet: parseAddress(input.payoutWallet, 'The payout wallet'),
    worker_signer: input.workerSigner,
    worker_name: parseWorkerName(input.workerName),
    issued_at: issuedAt,
    expires_at: issuedAt + input.validDays * DAY_SECONDS,
  })
  return { payload, message: delegationMessage(payload) }
}

/** Who the delegation must name, and when "now" is (unix seconds). */
export interface DelegationExpectation {
  workerSigner: Address
  workerName?: string
  /** The account's payout wallet, when known: the delegation must be for it. */
  payoutWallet?: string
  now: number
  skewSeconds?: number
  /** For reading a saved delegation back: an expired one is still this rig's (its status says "expired"). */
  allowExpired?: boolean
}

/**
 * Verifies a delegation certificate the way core will: its fields, that the payout wallet signed exactly this
 * payload, that it names this worker key (and name), and that it is in force now. Returns it with the signature in
 * the 27/28 form; otherwise throws one IdentityError sentence saying what is wrong.
 */
export function verifyDelegation(certificate: unknown, expect: DelegationExpectation): DelegationCertificate {
  const parsed = delegationCertificateSchema.safeParse(certificate)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new IdentityError(`The delegation is malformed (${issue?.path.join('.') || 'its shape'}: ${issue?.message ?? 'invalid'}).`)
  }
  const { payload } = parsed.data
  if (payload.chain_id !== DELEGATION_CHAIN_ID)
    throw new IdentityError(`The delegation is for chain ${payload.chain_id}, not Base (${DELEGATION_CHAIN_ID}).`)
  if (payload.audience !== DELEGATION_AUDIENCE)
    throw new IdentityError(`The delegation is for "${payload.audience}", not ${DELEGATION_AUDIENCE}.`)
  if (payload.expires_at <= payload.issued_at || payload.expires_at - payload.issued_at > MAX_DELEGATION_DAYS * DAY_SECONDS) {
    throw new IdentityError(
      `The delegation's lifetime is invalid: it must end after it starts and last at most ${MAX_DELEGATION_DAYS} days.`,
    )
  }
  const signature = parseSignature(parsed.data.signature)
  const signer = recoverPersonalSigner(delegationMessage(payload), signature)
  if (signer !== payload.payout_wallet) {
    throw new IdentityError(
      `The signature was made by ${signer}, not by the payout wallet ${payload.payout_wallet}; sign the message with the payout wallet's account.`,
    )
  }
  if (expect.payoutWallet !== undefined) {
    const account = parseAddress(expect.payoutWallet, "The account's payout wallet")
    if (account !== payload.payout_wallet)
      throw new IdentityError(
        `The delegation is for payout wallet ${payload.payout_wallet}, but the account pays ${account}; request a delegation for ${account}.`,
      )
  }
  if (payload.worker_signer !== expect.workerSigner)
    throw new IdentityError(`The delegation is for worker key ${payload.worker_signer}, not this worker's key ${expect.workerSigner}.`)
  if (expect.workerName !== undefined && payload.worker_name !== expect.workerName) {
    throw new IdentityError(`The delegation is for the worker named "${payload.worker_name}", not "${expect.workerName}".`)
  }
  const skew = expect.skewSeconds ?? REGISTRATION_SKEW_SECONDS
  if (payload.issued_at > expect.now + skew) {
    const minutes = Math.round((payload.issued_at - expect.now) / 60)
    throw new IdentityError(
      `The delegation is dated ${minutes} minutes in the future, so a clock is off; set this computer's clock right and request a new delegation.`,
    )
  }
  if (payload.expires_at <= expect.now && !expect.allowExpired) {
    throw new IdentityError(
      `The delegation expired on ${new Date(payload.expires_at * 1000).toISOString().slice(0, 10)}; request a new one and sign it again.`,
    )
  }
  return { payload, signature }
}
