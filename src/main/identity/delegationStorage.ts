import type { Address } from '../../grid/identity/address.js'
import {
  delegationMessage,
  delegationPayloadSchema,
  verifyDelegation,
  type DelegationCertificate,
  type DelegationRequest,
} from '../../grid/identity/delegation.js'
import type { SecretStore } from '../store/secretStore.js'

const CERTIFICATE_SECRET = 'aipg-worker-delegation'
const REQUEST_SECRET = 'aipg-worker-delegation-request'

/** A saved delegation, or why it was set aside. */
export type SavedDelegation = { certificate: DelegationCertificate; problem: null } | { certificate: null; problem: string | null }

/**
 * The signed delegation and the request waiting for a signature, kept beside the worker key. Both are read back as
 * untrusted (a file can be edited): the certificate is verified again against this rig's key.
 */
export class DelegationStorage {
  constructor(private readonly secrets: SecretStore) {}

  /** `workerSigner` is asked only when a delegation is saved, so a rig that never set up an identity gets no key from mining. */
  loadCertificate(workerSigner: () => Address, now: number): SavedDelegation {
    const stored = this.secrets.get(CERTIFICATE_SECRET)
    if (stored === null) return { certificate: null, problem: null }
    try {
      return { certificate: verifyDelegation(JSON.parse(stored), { workerSigner: workerSigner(), now, allowExpired: true }), problem: null }
    } catch (error) {
      return { certificate: null, problem: `The saved delegation was set aside: ${error instanceof Error ? error.message : String(error)}` }
    }
  }

  saveCertificate(certificate: DelegationCertificate): void {
    this.secrets.set(CERTIFICATE_SECRET, JSON.stringify(certificate))
  }

  loadRequest(): DelegationRequest | null {
    const stored = this.secrets.get(REQUEST_SECRET)
    if (stored === null) return null
    try {
      const payload = delegationPayloadSchema.parse((JSON.parse(stored) as { payload?: unknown }).payload)
      return { payload, message: delegationMessage(payload) }
    } catch {
      return null
    }
  }

  saveRequest(request: DelegationRequest): void {
    this.secrets.set(REQUEST_SECRET, JSON.stringify({ payload: request.payload }))
  }

  clearRequest(): void {
    this.secrets.delete(REQUEST_SECRET)
  }
}
