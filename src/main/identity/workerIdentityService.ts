import type { Address } from '../../grid/identity/address.js'
import {
  buildDelegationRequest,
  parseWorkerName,
  verifyDelegation,
  type DelegationCertificate,
  type DelegationRequest,
} from '../../grid/identity/delegation.js'
import { IdentityError } from '../../grid/identity/identityError.js'
import { addressOfPrivateKey, type Signature } from '../../grid/identity/personalSign.js'
import { buildWorkerIdentity, type RegistrationFrameFields, type WorkerIdentityProof } from '../../grid/identity/registration.js'
import { signJobResult } from '../../grid/identity/resultSignature.js'
import type { WorkerSigner } from '../../grid/identity/workerSigner.js'
import { AppError } from '../../shared/result.js'
import type { SecretStore } from '../store/secretStore.js'
import { Emitter } from '../lib/emitter.js'
import { fetchAccountPayoutWallet } from '../../grid/identity/accountWallet.js'
import type { GridAccess } from '../../grid/gridRequest.js'
import type { EnrollmentStatus } from '../../shared/identity.js'
import { DelegationStorage } from './delegationStorage.js'
import { DeviceEnrollment, type Sleep } from './deviceEnrollment.js'
import { delegationState, type IdentityStatus } from './identityStatus.js'
import { loadOrCreateWorkerKey } from './workerKey.js'

/** The default lifetime of a delegation; the user may ask for up to 365 days. */
export const DEFAULT_VALID_DAYS = 90

/** Events of the identity service. */
export interface IdentityEvents {
  'identity.status': IdentityStatus
}

export interface WorkerIdentityOptions {
  secrets: SecretStore
  /** Milliseconds since the epoch; injected so tests can move the clock. */
  now?: () => number
  log?: (line: string) => void
  /** Device enrollment: the AIPG grid URL in use (default production). */
  gridUrl?: () => string
  /** Keeps the API key an enrollment activated (the host: the miner's AIPG key); without it, enrollment is refused. */
  saveApiKey?: (apiKey: string, gridUrl: string) => Promise<void>
  /** The waits between enrollment polls (tests pass a fake). */
  sleep?: Sleep
  fetch?: typeof fetch
  /** How to ask the AIPG grid about the account (its payout wallet); null without a key for it. */
  gridAccess?: () => GridAccess | null
}

/**
 * The rig's worker identity (§16.2): its key, the delegation the payout wallet signed for it, and the two things the
 * AIPG transport needs from them (WorkerSigner). The key is created on first use and never leaves this object: not in
 * the status, not in events, not in logs.
 */
export class WorkerIdentityService implements WorkerSigner {
  readonly events: Emitter<IdentityEvents>
  private readonly storage: DelegationStorage
  private readonly clock: () => number
  private key: Uint8Array | null = null
  private saved: { certificate: DelegationCertificate | null; problem: string | null } | null = null
  private readonly enrollment: DeviceEnrollment
  private accountWallet: Address | null = null

  constructor(private readonly options: WorkerIdentityOptions) {
    this.storage = new DelegationStorage(options.secrets)
    this.clock = options.now ?? Date.now
    this.events = new Emitter<IdentityEvents>(options.log)
    this.enrollment = new DeviceEnrollment({
      secrets: options.secrets,
      workerSigner: () => this.address(),
      gridUrl: options.gridUrl ?? (() => ''),
      install: (certificate) => {
        this.storage.saveCertificate(certificate)
        this.storage.clearRequest()
        this.saved = { certificate, problem: null }
      },
      saveApiKey: options.saveApiKey ?? (() => Promise.reject(new Error('This GridForge cannot keep an API key.'))),
      changed: () => void this.changed(),
      now: this.clock,
      sleep: options.sleep,
      fetch: options.fetch,
      log: options.log,
    })
  }

  /**
   * One-click device enrollment (§16.2): opens an enrollment on the grid for this key and `workerName`; the owner
   * approves it at the returned `authorizeUrl`, and the certificate and the rig's API key are installed in the
   * background. A grid with enrollment off answers state `off`: the manual path is then the way.
   */
  async enroll(input: { workerName: string; validDays?: number }): Promise<EnrollmentStatus> {
    const workerName = userInput(() => parseWorkerName(input.workerName))
    return this.enrollment.start({ workerName, validDays: input.validDays ?? DEFAULT_VALID_DAYS })
  }

  /**
   * Asks the grid which wallet the account is paid to, so the delegation form is prefilled with it and a delegation
   * for another wallet is refused before it is saved. Keeps the last answer when the grid cannot be asked.
   */
  async refreshAccountWallet(): Promise<void> {
    let wallet: Address | null
    try {
      // Inside the try: the access is read from the store, which a closing host may already have closed.
      const access = this.options.gridAccess?.()
      if (access === undefined) return
      wallet = access ? await fetchAccountPayoutWallet(access) : null
    } catch {
      return
    }
    if (wallet === this.accountWallet) return
    this.accountWallet = wallet
    this.changed()
  }

  /** Resumes an enrollment a previous run left waiting for approval. */
  resumeEnrollment(): void {
    this.enrollment.resume()
  }

  async cancelEnrollment(): Promise<IdentityStatus> {
    await this.enrollment.cancel()
    return this.status()
  }

  /** Resolves when the background enrollment poll has ended. */
  enrollmentSettled(): Promise<void> {
    return this.enrollment.settled()
  }

  /** Stops polling (a pending enrollment is resumed at the next start). */
  close(): Promise<void> {
    return this.enrollment.stop()
  }

  /** The worker signer's address, lower case; creates the key if there is none yet. */
  address(): Address {
    return addressOfPrivateKey(this.workerKey())
  }

  /**
   * The delegation for the user to sign in their wallet: for `payoutWallet` (any case; a wrong EIP-55 checksum is
   * refused), this worker name and key, valid `validDays` from now. It is kept until a signature is installed.
   */
  requestDelegation(input: { payoutWallet: string; workerName: string; validDays?: number }): DelegationRequest {
    const request = userInput(() =>
      buildDelegationRequest({
        ...input,
        validDays: input.validDays ?? DEFAULT_VALID_DAYS,
        workerSigner: this.address(),
        now: this.seconds(),
      }),
    )
    this.storage.saveRequest(request)
    this.changed()
    return request
  }

  /**
   * Installs the wallet's signature for the pending request, after checking that it recovers to the payout wallet
   * (and to `accountPayoutWallet`, when the grid has told us the account's), names this key and is in force.
   */
  install(signature: string, accountPayoutWallet: string | undefined = this.accountWallet ?? undefined): IdentityStatus {
    const request = this.storage.loadRequest()
    if (!request)
      throw new AppError(
        'BAD_REQUEST',
        'There is no delegation request waiting for a signature; make one first (gridforge identity request).',
      )
    const certificate = userInput(() =>
      verifyDelegation(
        { payload: request.payload, signature },
        { workerSigner: this.address(), workerName: request.payload.worker_name, payoutWallet: accountPayoutWallet, now: this.seconds() },
      ),
    )
    this.storage.saveCertificate(certificate)
    this.storage.clearRequest()
    this.saved = { certificate, problem: null }
    return this.changed()
  }

  status(): IdentityStatus {
    const { certificate, problem } = this.savedDelegation()
    const pending = this.storage.loadRequest()
    const payload = certificate?.payload ?? null
    return {
      state: delegationState(payload, this.seconds()),
      address: this.address(),
      delegation: payload && {
        payoutWallet: payload.payout_wallet,
        workerName: payload.worker_name,
        delegationId: payload.delegation_id,
        issuedAt: payload.issued_at,
        expiresAt: payload.expires_at,
      },
      pending: pending && {
        payoutWallet: pending.payload.payout_wallet,
        workerName: pending.payload.worker_name,
        expiresAt: pending.payload.expires_at,
      },
      problem,
      accountWallet: this.accountWallet,
      enrollment: this.enrollment.status(),
    }
  }

  /** WorkerSigner: a fresh `worker_identity` for this registration frame, or null without a delegation in force for its name. */
  workerIdentityFor(fields: RegistrationFrameFields): WorkerIdentityProof | null {
    const certificate = this.delegationInForce()
    if (!certificate || certificate.payload.worker_name !== fields.name) return null
    try {
      return buildWorkerIdentity({ privateKey: this.workerKey(), delegation: certificate, fields, now: this.seconds() })
    } catch (error) {
      this.options.log?.(`registering without worker identity: ${error instanceof Error ? error.message : String(error)}`)
      return null
    }
  }

  /** WorkerSigner: `worker_sig` for a done frame's full text, or null for empty text or without a delegation in force. */
  signResult(jobId: string, fullText: string): Signature | null {
    return this.delegationInForce() ? signJobResult(jobId, fullText, this.workerKey()) : null
  }

  private delegationInForce(): DelegationCertificate | null {
    const { certificate } = this.savedDelegation()
    return certificate && certificate.payload.expires_at > this.seconds() ? certificate : null
  }

  private savedDelegation() {
    this.saved ??= this.storage.loadCertificate(() => this.address(), this.seconds())
    return this.saved
  }

  private workerKey(): Uint8Array {
    this.key ??= loadOrCreateWorkerKey(this.options.secrets)
    return this.key
  }

  private seconds(): number {
    return Math.floor(this.clock() / 1000)
  }

  private changed(): IdentityStatus {
    const status = this.status()
    this.events.emit('identity.status', status)
    return status
  }
}

/** A user's input that does not hold up is a one-sentence BAD_REQUEST; anything else is a bug and stays one. */
function userInput<T>(run: () => T): T {
  try {
    return run()
  } catch (error) {
    if (error instanceof IdentityError) throw new AppError('BAD_REQUEST', error.message)
    throw error
  }
}
