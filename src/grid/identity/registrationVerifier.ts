import { createHash } from 'node:crypto'
import { parseAddress, type Address } from './address.js'
import type { CanonicalValue } from './canonicalJson.js'
import { delegationMessage, type DelegationPayload } from './delegation.js'
import { IdentityError } from './identityError.js'
import { parseSignature, recoverPersonalSigner } from './personalSign.js'
import {
  DAY_SECONDS,
  DELEGATION_AUDIENCE,
  DELEGATION_CHAIN_ID,
  IDENTITY_VERSION,
  MAX_DELEGATION_DAYS,
  REGISTRATION_SKEW_SECONDS,
} from './protocol.js'
import { registrationMessage, type RegistrationPayload } from './registration.js'

const DELEGATION_FIELDS = [
  'audience',
  'chain_id',
  'delegation_id',
  'expires_at',
  'issued_at',
  'payout_wallet',
  'version',
  'worker_name',
  'worker_signer',
]
const REGISTRATION_FIELDS = [
  'bridge_agent',
  'job_types',
  'models',
  'nonce',
  'profile_digest',
  'profile_recipe_root',
  'timestamp',
  'version',
  'worker_name',
  'worker_signer',
]

/** Remembers registration nonces for a while; `claim` is false when the key was already seen (core uses Redis SET NX EX). */
export interface NonceRegistry {
  claim(key: string, ttlSeconds: number, now: number): boolean
}

/** A NonceRegistry in memory, for the dev grid. */
export class MemoryNonceRegistry implements NonceRegistry {
  private readonly seen = new Map<string, number>()

  claim(key: string, ttlSeconds: number, now: number): boolean {
    for (const [old, until] of this.seen) if (until <= now) this.seen.delete(old)
    if (this.seen.has(key)) return false
    this.seen.set(key, now + ttlSeconds)
    return true
  }
}

/** What core learns from a verified proof. */
export interface VerifiedWorkerIdentity {
  signerAddress: Address
  payoutWallet: Address
  delegationId: string
  expiresAt: number
}

/** What the registration frame said, and the account's payout wallet (never taken from the worker). */
export interface RegistrationContext {
  proof: unknown
  payoutWallet: string
  workerName: string
  models: readonly string[]
  jobTypes: readonly string[]
  bridgeAgent: string
  required: boolean
  now: number
  nonces: NonceRegistry
  skewSeconds?: number
}

/**
 * Core's `verify_registration` (grid-core `services/worker_identity.py`), check for check and with core's own error
 * sentences, so the dev grid refuses what core refuses and says it the same way. Returns null when no proof was sent
 * and none is required.
 */
export function verifyRegistration(context: RegistrationContext): VerifiedWorkerIdentity | null {
  if (context.proof === null || context.proof === undefined) {
    if (context.required) throw new IdentityError('payout-wallet worker delegation is required')
    return null
  }
  const skew = context.skewSeconds ?? REGISTRATION_SKEW_SECONDS
  const verified = verifyProof(context, skew)
  const payload = (context.proof as { payload: RegistrationPayload }).payload
  const nonceKey = createHash('sha256').update(`${verified.signerAddress}:${payload.nonce}`).digest('hex')
  if (!context.nonces.claim(nonceKey, Math.max(skew * 2, 60), context.now))
    throw new IdentityError('worker registration proof was already used')
  return verified
}

function verifyProof(context: RegistrationContext, skew: number): VerifiedWorkerIdentity {
  const { proof, now } = context
  const wallet = isAddress(context.payoutWallet) ? context.payoutWallet.toLowerCase() : null
  if (!wallet) throw new IdentityError('authenticated account has no valid payout wallet')
  if (!hasExactly(proof, ['delegation', 'payload', 'signature'])) throw new IdentityError('worker identity proof is malformed')
  const { payload, delegation: certificate, signature } = proof as Record<string, unknown>
  if (!hasExactly(payload, REGISTRATION_FIELDS)) throw new IdentityError('worker registration payload is malformed')
  if (!hasExactly(certificate, ['payload', 'signature'])) throw new IdentityError('worker delegation certificate is malformed')
  const delegation = (certificate as Record<string, unknown>).payload
  if (!hasExactly(delegation, DELEGATION_FIELDS)) throw new IdentityError('worker delegation payload is malformed')
  const registration = payload as Record<string, unknown>
  const granted = delegation as Record<string, unknown>

  validatePublicFields(context)
  validateDelegation(granted, now, skew)
  const signer = address(granted.worker_signer, 'worker signer')
  const expected: Record<string, CanonicalValue> = {
    version: IDENTITY_VERSION,
    timestamp: registration.timestamp as CanonicalValue,
    nonce: registration.nonce as CanonicalValue,
    worker_signer: signer,
    worker_name: context.workerName,
    models: [...context.models],
    job_types: [...context.jobTypes],
    bridge_agent: context.bridgeAgent,
    profile_digest: null,
    profile_recipe_root: null,
  }
  if (!sameJson(registration, expected)) throw new IdentityError('worker registration proof does not match advertised capabilities')
  const timestamp = integer(registration.timestamp, 'registration timestamp')
  if (Math.abs(now - timestamp) > skew) throw new IdentityError('worker registration proof is stale')
  if (!isHex(registration.nonce, 32)) throw new IdentityError('worker registration nonce must be 16 random bytes')
  if (granted.payout_wallet !== wallet) throw new IdentityError('delegation payout wallet does not match the authenticated account')
  if (granted.worker_name !== context.workerName) throw new IdentityError('delegation targets a different worker name')
  if (granted.worker_signer !== signer) throw new IdentityError('delegation worker signer is not canonical')

  const recoveredWallet = recover(
    delegationMessage(granted as DelegationPayload),
    (certificate as Record<string, unknown>).signature,
    'delegation',
  )
  if (recoveredWallet !== wallet) throw new IdentityError('delegation was not signed by the payout wallet')
  const recoveredWorker = recover(registrationMessage(registration as RegistrationPayload), signature, 'registration')
  if (recoveredWorker !== signer) throw new IdentityError('registration was not signed by the delegated worker key')
  return {
    signerAddress: signer,
    payoutWallet: wallet as Address,
    delegationId: granted.delegation_id as string,
    expiresAt: granted.expires_at as number,
  }
}

function validateDelegation(payload: Record<string, unknown>, now: number, skew: number): void {
  if (payload.version !== IDENTITY_VERSION) throw new IdentityError('unsupported worker delegation version')
  if (integer(payload.chain_id, 'delegation chain ID') !== DELEGATION_CHAIN_ID)
    throw new IdentityError('worker delegation targets the wrong chain')
  if (payload.audience !== DELEGATION_AUDIENCE) throw new IdentityError('worker delegation targets the wrong Core audience')
  address(payload.payout_wallet, 'payout wallet')
  address(payload.worker_signer, 'worker signer')
  if (!isHex(payload.delegation_id, 32)) throw new IdentityError('worker delegation ID is invalid')
  if (typeof payload.worker_name !== 'string' || !payload.worker_name) throw new IdentityError('worker delegation name is invalid')
  const issuedAt = integer(payload.issued_at, 'delegation issued_at')
  const expiresAt = integer(payload.expires_at, 'delegation expires_at')
  if (expiresAt <= issuedAt || expiresAt - issuedAt > MAX_DELEGATION_DAYS * DAY_SECONDS)
    throw new IdentityError('worker delegation lifetime is invalid')
  if (issuedAt > now + skew) throw new IdentityError('worker delegation was issued in the future')
  if (expiresAt <= now) throw new IdentityError('worker delegation has expired')
}

function validatePublicFields({ workerName, models, jobTypes, bridgeAgent }: RegistrationContext): void {
  if (typeof workerName !== 'string' || !workerName || workerName.length > 128) throw new IdentityError('worker name is invalid')
  if (!Array.isArray(models) || models.length < 1 || models.length > 64) throw new IdentityError('worker model list is invalid')
  if (!models.every((item) => typeof item === 'string' && item.length > 0 && item.length <= 200))
    throw new IdentityError('worker model name is invalid')
  if (!Array.isArray(jobTypes) || jobTypes.length < 1 || jobTypes.length > 5) throw new IdentityError('worker job type list is invalid')
  if (!jobTypes.every((item) => typeof item === 'string' && item.length > 0 && item.length <= 20))
    throw new IdentityError('worker job type is invalid')
  if (typeof bridgeAgent !== 'string' || !bridgeAgent || bridgeAgent.length > 128) throw new IdentityError('worker bridge agent is invalid')
}

function recover(message: string, signature: unknown, label: string): Address {
  if (typeof signature !== 'string' || signature.length > 132) throw new IdentityError(`worker ${label} signature is invalid`)
  try {
    return recoverPersonalSigner(message, parseSignature(signature))
  } catch {
    throw new IdentityError(`worker ${label} signature is invalid`)
  }
}

/** eth_utils.is_address: 0x + 40 hex, and a mixed-case one must be a valid EIP-55 checksum. */
function isAddress(value: unknown): value is string {
  if (typeof value !== 'string' || value !== value.trim()) return false
  try {
    parseAddress(value)
    return true
  } catch {
    return false
  }
}

function address(value: unknown, label: string): Address {
  if (!isAddress(value)) throw new IdentityError(`${label} is not a valid EVM address`)
  return value.toLowerCase() as Address
}

function integer(value: unknown, label: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new IdentityError(`${label} must be an integer`)
  return value
}

function isHex(value: unknown, length: number): boolean {
  return typeof value === 'string' && value.length === length && /^[0-9a-f]*$/.test(value)
}

function hasExactly(value: unknown, keys: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const own = Object.keys(value).sort()
  const wanted = [...keys].sort()
  return own.length === wanted.length && own.every((key, i) => key === wanted[i])
}

/** Python's `==` on decoded JSON: same keys, same items in the same order. */
function sameJson(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual) || Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      Array.isArray(expected) &&
      actual.length === expected.length &&
      actual.every((item, i) => sameJson(item, expected[i]))
    )
  }
  if (typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null) {
    const keys = Object.keys(actual)
    return (
      hasExactly(expected, keys) &&
      keys.every((key) => sameJson((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key]))
    )
  }
  return actual === expected
}
