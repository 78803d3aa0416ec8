import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import type { Address } from './address.js'
import { IdentityError } from './identityError.js'
import { parseSignature, personalSign, recoverPersonalSigner, type Signature } from './personalSign.js'

/**
 * Core's output commitment (§16.1): sha256 hex of the UTF-8 `full_text`, content only. Empty text has none: core stores
 * NULL rather than sha256(""), so there is nothing to sign.
 */
export function resultHash(fullText: string): string | null {
  return fullText ? bytesToHex(sha256(utf8ToBytes(fullText))) : null
}

/** The string a worker signs for one job: `aipg-job:{job_id}:{result_hash}`. */
export function jobMessage(jobId: string, hash: string): string {
  return `aipg-job:${jobId}:${hash}`
}

/** `worker_sig` for a finished job, or null when the text is empty (a done frame then carries no signature). */
export function signJobResult(jobId: string, fullText: string, privateKey: Uint8Array): Signature | null {
  if (!jobId) throw new IdentityError('A job signature needs the job id.')
  const hash = resultHash(fullText)
  return hash === null ? null : personalSign(jobMessage(jobId, hash), privateKey)
}

/**
 * Core's `verify_worker_sig`, fail-closed: true only for a well-formed signature over this job's commitment that
 * recovers to one of `allowed` (the delegated signer, else the payout wallet). Anything else records as unsigned.
 */
export function verifyJobSignature(jobId: string, fullText: string, workerSig: unknown, allowed: readonly string[]): boolean {
  const hash = resultHash(fullText)
  const wanted = new Set(allowed.filter(Boolean).map((address) => address.toLowerCase()))
  if (!jobId || hash === null || typeof workerSig !== 'string' || !workerSig || wanted.size === 0) return false
  try {
    const signer: Address = recoverPersonalSigner(jobMessage(jobId, hash), parseSignature(workerSig))
    return wanted.has(signer)
  } catch {
    return false
  }
}
