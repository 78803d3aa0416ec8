import type { Signature } from './personalSign.js'
import type { RegistrationFrameFields, WorkerIdentityProof } from './registration.js'

/**
 * What the AIPG transport needs from the worker identity, and all it gets (the key never leaves its owner):
 * - `workerIdentityFor(fields)`: the `worker_identity` to put in the registration frame whose name, models,
 *   job_types and bridge_agent are `fields` (call it for every connection attempt: each proof carries a fresh nonce
 *   and timestamp), or null when no delegation covering this worker name is in force; then register without it.
 * - `signResult(jobId, fullText)`: the `worker_sig` for a `done` frame carrying `full_text`, or null when the text is
 *   empty or no identity is in force (then send no `worker_sig`: core checks it against the delegated signer only
 *   when the registration carried the identity, so a signature without one would never verify).
 */
export interface WorkerSigner {
  workerIdentityFor(fields: RegistrationFrameFields): WorkerIdentityProof | null
  signResult(jobId: string, fullText: string): Signature | null
}
