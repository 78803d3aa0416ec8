import type { Address } from '../../grid/identity/address.js'
import { verifyDelegation, type DelegationCertificate } from '../../grid/identity/delegation.js'
import {
  acknowledgeEnrollment,
  createEnrollment,
  EnrollmentError,
  pendingEnrollmentSchema,
  pollEnrollment,
  type PendingEnrollment,
} from '../../grid/identity/enrollment.js'
import { IdentityError } from '../../grid/identity/identityError.js'
import type { EnrollmentState, EnrollmentStatus } from '../../shared/identity.js'
import type { SecretStore } from '../store/secretStore.js'

const PENDING_SECRET = 'aipg-worker-enrollment'
/** The longest wait between polls while the grid cannot be reached. */
const MAX_RETRY_MS = 30_000

/** Waits `ms`, or less when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>

export interface DeviceEnrollmentOptions {
  secrets: SecretStore
  workerSigner: () => Address
  /** The AIPG grid this rig earns on now (the miner's grid URL, else production). */
  gridUrl: () => string
  /** Saves a verified certificate as this rig's delegation. */
  install: (certificate: DelegationCertificate) => void
  /** Keeps the API key the grid activated for this rig (the miner's key); throws a sentence when it cannot. */
  saveApiKey: (apiKey: string, gridUrl: string) => Promise<void>
  /** Tells the owner that the status changed. */
  changed: () => void
  /** Milliseconds since the epoch. */
  now: () => number
  sleep?: Sleep
  fetch?: typeof fetch
  log?: (line: string) => void
}

/**
 * §16.2's device enrollment, client side: start it, show the approval link, poll, verify the certificate the payout
 * wallet signed, acknowledge it, keep the API key. The pending enrollment (its poll token and key) is kept in the
 * secret store, so a restart resumes it instead of leaving a half-approved rig.
 */
export class DeviceEnrollment {
  private current: EnrollmentStatus | null = null
  private run: { abort: AbortController; done: Promise<void> } | null = null
  private readonly sleep: Sleep

  constructor(private readonly options: DeviceEnrollmentOptions) {
    this.sleep = options.sleep ?? sleepFor
  }

  status(): EnrollmentStatus | null {
    if (this.current) return this.current
    const pending = this.loadPending()
    return pending && this.describe(pending, 'waiting')
  }

  /**
   * Opens an enrollment for `workerName` on the grid (or resumes the one already waiting for the same name and grid)
   * and polls it in the background. Resolves once the grid answered the start: waiting, or why not (enrollment off,
   * unreachable, refused).
   */
  async start(input: { workerName: string; validDays: number }): Promise<EnrollmentStatus> {
    const waiting = this.loadPending()
    const gridUrl = this.options.gridUrl()
    const same = waiting && waiting.workerName === input.workerName && waiting.gridUrl === gridUrl && waiting.expiresAt > this.seconds()
    // An approved one only waits for its key to be saved: starting over would throw that key away.
    if (waiting && (same || waiting.stage === 'activated')) {
      this.resume()
      return this.status()!
    }
    await this.stop()
    this.options.secrets.delete(PENDING_SECRET)
    let pending: PendingEnrollment
    try {
      pending = await createEnrollment({ gridUrl, workerSigner: this.options.workerSigner(), ...input, fetch: this.options.fetch })
    } catch (error) {
      return this.end(input.workerName, failureState(error), startProblem(error))
    }
    this.savePending(pending)
    this.set(this.describe(pending, 'waiting'))
    this.launch(pending)
    return this.current!
  }

  /** Picks up an enrollment a previous run left waiting (the host calls this at start). */
  resume(): void {
    if (this.run) return
    const pending = this.loadPending()
    if (!pending) return
    this.set(this.describe(pending, 'waiting'))
    this.launch(pending)
  }

  /** Forgets the enrollment: the link stops working for this rig (its poll token is gone). */
  async cancel(): Promise<EnrollmentStatus | null> {
    await this.stop()
    this.options.secrets.delete(PENDING_SECRET)
    this.set(null)
    return null
  }

  /** Resolves when the background poll has ended (done, denied, expired, failed, or stopped). */
  settled(): Promise<void> {
    return this.run?.done ?? Promise.resolve()
  }

  /** Stops polling; a pending enrollment stays saved for the next start. */
  async stop(): Promise<void> {
    const run = this.run
    if (!run) return
    run.abort.abort()
    await run.done
  }

  private launch(pending: PendingEnrollment): void {
    const abort = new AbortController()
    const done = this.follow(pending, abort.signal)
      .catch((error: unknown) => {
        this.options.log?.(`enrollment failed: ${error instanceof Error ? error.message : String(error)}`)
        this.end(pending.workerName, 'failed', 'The enrollment stopped on an unexpected error; see the log, then start again.')
      })
      .finally(() => {
        if (this.run?.abort === abort) this.run = null
      })
    this.run = { abort, done }
  }

  private async follow(start: PendingEnrollment, signal: AbortSignal): Promise<void> {
    let pending = start
    let retryMs = pending.pollAfterSeconds * 1000
    while (!signal.aborted && pending.stage === 'waiting') {
      if (this.seconds() >= pending.expiresAt) return this.finish(pending, 'expired')
      let answer: Awaited<ReturnType<typeof pollEnrollment>>
      try {
        answer = await pollEnrollment(pending, this.options.fetch)
      } catch (error) {
        if (signal.aborted) return
        if (error instanceof EnrollmentError && error.failure === 'unreachable') {
          this.set({ ...this.describe(pending, 'retrying'), message: retryingText(pending, error.message) })
          await this.sleep(retryMs, signal)
          retryMs = Math.min(retryMs * 2, MAX_RETRY_MS)
          continue
        }
        return this.finish(pending, failureState(error), error instanceof Error ? error.message : String(error))
      }
      retryMs = pending.pollAfterSeconds * 1000
      if (answer.status === 'denied') return this.finish(pending, 'denied')
      if (answer.status === 'waiting') {
        if (this.current?.state !== 'waiting') this.set(this.describe(pending, 'waiting'))
        await this.sleep(pending.pollAfterSeconds * 1000, signal)
        continue
      }
      let certificate: DelegationCertificate
      try {
        certificate = verifyDelegation(answer.certificate, {
          workerSigner: pending.workerSigner as Address,
          workerName: pending.workerName,
          now: this.seconds(),
        })
      } catch (error) {
        if (!(error instanceof IdentityError)) throw error
        return this.finish(pending, 'failed', `The grid's certificate was not installed: ${error.message}`)
      }
      this.options.install(certificate)
      if (answer.status !== 'activated' && !(await this.acknowledge(pending, signal))) return
      pending = { ...pending, stage: 'activated' }
      this.savePending(pending)
    }
    if (signal.aborted) return
    try {
      await this.options.saveApiKey(pending.apiKey, pending.gridUrl)
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error)
      // The key stays with the pending enrollment: the next start tries again rather than losing the rig's only key.
      return void this.set({
        ...this.describe(pending, 'failed'),
        authorizeUrl: null,
        message: `The delegation is installed, but the grid's API key for this rig was not saved: ${why} GridForge tries again at the next start.`,
      })
    }
    this.finish(pending, 'done')
  }

  /** Acks until the grid answers; false when the enrollment ended (stopped, or refused). */
  private async acknowledge(pending: PendingEnrollment, signal: AbortSignal): Promise<boolean> {
    let retryMs = pending.pollAfterSeconds * 1000
    for (;;) {
      try {
        await acknowledgeEnrollment(pending, this.options.fetch)
        return true
      } catch (error) {
        if (signal.aborted) return false
        if (!(error instanceof EnrollmentError) || error.failure !== 'unreachable') {
          this.finish(pending, failureState(error), error instanceof Error ? error.message : String(error))
          return false
        }
        this.set({ ...this.describe(pending, 'retrying'), message: retryingText(pending, error.message) })
        await this.sleep(retryMs, signal)
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS)
        if (signal.aborted) return false
      }
    }
  }

  private finish(pending: PendingEnrollment, state: EnrollmentState, detail?: string): void {
    this.options.secrets.delete(PENDING_SECRET)
    this.end(pending.workerName, state, detail)
  }

  private end(workerName: string, state: EnrollmentState, detail?: string): EnrollmentStatus {
    const status: EnrollmentStatus = { state, workerName, authorizeUrl: null, expiresAt: null, message: endText(state, workerName, detail) }
    this.set(status)
    return status
  }

  private describe(pending: PendingEnrollment, state: EnrollmentState): EnrollmentStatus {
    return {
      state,
      workerName: pending.workerName,
      authorizeUrl: pending.authorizeUrl,
      expiresAt: pending.expiresAt,
      message:
        pending.stage === 'activated'
          ? 'The grid approved this rig; saving its API key.'
          : `Open the approval page and approve this rig with your payout wallet (the link works until ${clock(pending.expiresAt)}).`,
    }
  }

  private set(status: EnrollmentStatus | null): void {
    this.current = status
    this.options.changed()
  }

  private loadPending(): PendingEnrollment | null {
    const stored = this.options.secrets.get(PENDING_SECRET)
    if (stored === null) return null
    try {
      const pending = pendingEnrollmentSchema.parse(JSON.parse(stored))
      // One made for another worker key can never complete here.
      return pending.workerSigner === this.options.workerSigner() ? pending : null
    } catch {
      this.options.log?.('a saved enrollment could not be read; it was set aside')
      return null
    }
  }

  private savePending(pending: PendingEnrollment): void {
    this.options.secrets.set(PENDING_SECRET, JSON.stringify(pending))
  }

  private seconds(): number {
    return Math.floor(this.options.now() / 1000)
  }
}

function failureState(error: unknown): EnrollmentState {
  if (!(error instanceof EnrollmentError)) return 'failed'
  if (error.failure === 'off') return 'off'
  if (error.failure === 'expired') return 'expired'
  return 'failed'
}

function startProblem(error: unknown): string {
  const why = error instanceof Error ? error.message : String(error)
  if (error instanceof EnrollmentError && error.failure === 'unreachable') return `${why} Nothing was started; try again.`
  return why
}

function endText(state: EnrollmentState, workerName: string, detail?: string): string {
  switch (state) {
    case 'done':
      return `Enrolled: the payout wallet delegated this worker key for "${workerName}", and the grid's API key for this rig is saved.`
    case 'denied':
      return 'The enrollment was denied in the console, so nothing was installed; start again, or sign the delegation by hand.'
    case 'expired':
      return 'The approval link expired before the rig was approved, so nothing was installed; start again.'
    case 'off':
      return `This grid does not offer one-click enrollment (it answered "${detail ?? 'enrollment is off'}"); sign the delegation by hand instead.`
    default:
      return detail ?? 'The enrollment failed; start again.'
  }
}

function retryingText(pending: PendingEnrollment, why: string): string {
  return `${why} Still waiting for the approval until ${clock(pending.expiresAt)}; GridForge keeps asking.`
}

function clock(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().slice(11, 16)} UTC`
}

function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })
}
