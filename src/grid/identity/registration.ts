import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { canonicalJson } from './canonicalJson.js'
import { delegationCertificateSchema, type DelegationCertificate } from './delegation.js'
import { IdentityError } from './identityError.js'
import { addressOfPrivateKey, personalSign, type Signature } from './personalSign.js'
import { IDENTITY_VERSION, REGISTRATION_PREFIX } from './protocol.js'

/** The fields of the registration frame that the proof must repeat exactly (§16.2). */
export interface RegistrationFrameFields {
  name: string
  models: readonly string[]
  job_types: readonly string[]
  bridge_agent: string
}

/** §16.2's registration payload: exactly these fields. */
export const registrationPayloadSchema = z.strictObject({
  version: z.literal(IDENTITY_VERSION),
  timestamp: z.number().int(),
  nonce: z.string(),
  worker_signer: z.string(),
  worker_name: z.string(),
  models: z.array(z.string()),
  job_types: z.array(z.string()),
  bridge_agent: z.string(),
  profile_digest: z.null(),
  profile_recipe_root: z.null(),
})
export type RegistrationPayload = z.infer<typeof registrationPayloadSchema>

/** The registration frame's `worker_identity`. */
export const workerIdentityProofSchema = z.strictObject({
  payload: registrationPayloadSchema,
  signature: z.string(),
  delegation: delegationCertificateSchema,
})
export interface WorkerIdentityProof {
  payload: RegistrationPayload
  signature: Signature
  delegation: DelegationCertificate
}

/** The text the worker key signs at each registration. */
export function registrationMessage(payload: RegistrationPayload): string {
  return `${REGISTRATION_PREFIX}${canonicalJson(payload)}`
}

/**
 * A fresh `worker_identity` for one registration frame: a new random nonce and the current time each time (core
 * accepts each nonce once and a timestamp within ±300 s), signed by the worker key, carrying the installed
 * delegation. Throws an IdentityError when the delegation does not cover this key, name or moment.
 */
export function buildWorkerIdentity(input: {
  privateKey: Uint8Array
  delegation: DelegationCertificate
  fields: RegistrationFrameFields
  now: number
  nonce?: string
}): WorkerIdentityProof {
  const signer = addressOfPrivateKey(input.privateKey)
  const { delegation, fields } = input
  if (delegation.payload.worker_signer !== signer)
    throw new IdentityError(
      `The installed delegation is for worker key ${delegation.payload.worker_signer}, not this worker's key ${signer}.`,
    )
  if (delegation.payload.worker_name !== fields.name)
    throw new IdentityError(`The installed delegation is for the worker named "${delegation.payload.worker_name}", not "${fields.name}".`)
  if (delegation.payload.expires_at <= input.now)
    throw new IdentityError('The installed delegation has expired; request a new one and sign it again.')
  if (fields.models.length < 1 || fields.models.length > 64)
    throw new IdentityError(`A signed registration advertises 1 to 64 models, not ${fields.models.length}.`)
  const payload: RegistrationPayload = {
    version: IDENTITY_VERSION,
    timestamp: Math.floor(input.now),
    nonce: input.nonce ?? randomBytes(16).toString('hex'),
    worker_signer: signer,
    worker_name: fields.name,
    models: [...fields.models],
    job_types: [...fields.job_types],
    bridge_agent: fields.bridge_agent,
    profile_digest: null,
    profile_recipe_root: null,
  }
  return { payload, signature: personalSign(registrationMessage(payload), input.privateKey), delegation }
}
