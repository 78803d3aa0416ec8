import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { gridUrlProblem } from '../../shared/gridUrl.js'
import { networkSentence } from '../../shared/networkWords.js'
import { readErrorBody } from '../errorAnswer.js'
import { apiUrl } from '../gridUrls.js'
import type { Address } from './address.js'
import { delegationCertificateSchema } from './delegation.js'
import { MAX_DELEGATION_DAYS } from './protocol.js'

/**
 * Core's device enrollment (§16.2; grid-core `services/worker_enrollment.py`): the worker creates its future API key
 * and a poll token, sends the key once and only the poll token's hash, and the account owner approves at
 * `authorize_url` with their wallet. Core never sees the poll token, so only this rig can collect the certificate.
 */

/** What core's console stores with the enrollment; a text worker has no managed profile, so it names its runtime. */
export const ENROLLMENT_PROFILE_ID = 'gridforge-text'
/** How often to poll when the grid does not say (core says 2 s). */
export const DEFAULT_POLL_SECONDS = 2

/** An enrollment this rig started, as it is kept until it ends: the poll token and the key are secrets. */
export const pendingEnrollmentSchema = z.strictObject({
  version: z.literal(1),
  gridUrl: z.string(),
  enrollmentId: z.string().regex(/^[A-Za-z0-9_-]{20,80}$/),
  authorizeUrl: z.string().max(2000),
  expiresAt: z.number().int(),
  pollAfterSeconds: z.number().int().min(1).max(60),
  workerName: z.string().min(1).max(120),
  workerSigner: z.string().regex(/^0x[0-9a-f]{40}$/),
  validDays: z.number().int().min(1).max(MAX_DELEGATION_DAYS),
  apiKey: z.string().regex(/^grid_[A-Za-z0-9_-]{32,64}$/),
  pollToken: z.string().min(32).max(200),
  /** `activated`: the grid acknowledged; only handing the API key over is left. */
  stage: z.enum(['waiting', 'activated']),
})
export type PendingEnrollment = z.infer<typeof pendingEnrollmentSchema>

const createdSchema = z.looseObject({
  enrollment_id: z.string().regex(/^[A-Za-z0-9_-]{20,80}$/),
  // The owner opens it in their browser: only a web page, https unless it is on this PC (never javascript: or file:).
  authorize_url: z
    .string()
    .min(1)
    .max(2000)
    .refine((url) => gridUrlProblem(url) === null, 'an https address'),
  expires_at: z.number().int(),
  poll_after_seconds: z.number().int().optional(),
})

const pollSchema = z.looseObject({
  status: z.string(),
  certificate: delegationCertificateSchema.optional(),
})

/** Why an enrollment call did not succeed. `unreachable` is worth retrying; the others end the enrollment. */
export type EnrollmentFailure = 'off' | 'expired' | 'refused' | 'unreachable'

export class EnrollmentError extends Error {
  override name = 'EnrollmentError'
  constructor(
    readonly failure: EnrollmentFailure,
    message: string,
  ) {
    super(message)
  }
}

/** The poll's answer: still waiting, refused by the owner, or complete with the payout wallet's certificate. */
export type PollAnswer =
  | { status: 'waiting' }
  | { status: 'denied' }
  | { status: 'complete' | 'activated'; certificate: z.infer<typeof delegationCertificateSchema> }

const REQUEST_TIMEOUT_MS = 10_000

/** `POST /v1/workers/enrollments`: a fresh API key and poll token made here, the enrollment the grid opened for them. */
export async function createEnrollment(input: {
  gridUrl: string
  workerSigner: Address
  workerName: string
  validDays: number
  fetch?: typeof fetch
}): Promise<PendingEnrollment> {
  // core's formats: `grid_` + 32–64 URL-safe characters, a poll token of 32–200 characters.
  const apiKey = `grid_${randomBytes(24).toString('base64url')}`
  const pollToken = randomBytes(32).toString('base64url')
  const body = await post(input.gridUrl, '/workers/enrollments', input.fetch, {
    worker_signer: input.workerSigner,
    worker_name: input.workerName,
    profile_id: ENROLLMENT_PROFILE_ID,
    api_key: apiKey,
    poll_token_hash: createHash('sha256').update(pollToken, 'utf8').digest('hex'),
    valid_days: input.validDays,
  })
  const created = createdSchema.safeParse(body)
  if (!created.success) throw new EnrollmentError('refused', 'The grid answered the enrollment with something that is not an enrollment.')
  return {
    version: 1,
    gridUrl: input.gridUrl,
    enrollmentId: created.data.enrollment_id,
    authorizeUrl: created.data.authorize_url,
    expiresAt: created.data.expires_at,
    pollAfterSeconds: Math.min(Math.max(created.data.poll_after_seconds ?? DEFAULT_POLL_SECONDS, 1), 60),
    workerName: input.workerName,
    workerSigner: input.workerSigner,
    validDays: input.validDays,
    apiKey,
    pollToken,
    stage: 'waiting',
  }
}

/** `POST …/{id}/poll`: whether the owner approved yet. */
export async function pollEnrollment(pending: PendingEnrollment, fetcher?: typeof fetch): Promise<PollAnswer> {
  const body = pollSchema.safeParse(
    await post(pending.gridUrl, `${enrollmentPath(pending)}/poll`, fetcher, { poll_token: pending.pollToken }),
  )
  if (!body.success) throw new EnrollmentError('refused', 'The grid answered the enrollment poll with something unreadable.')
  const { status, certificate } = body.data
  if (status === 'pending' || status === 'prepared') return { status: 'waiting' }
  if (status === 'denied') return { status: 'denied' }
  if ((status === 'complete' || status === 'activated') && certificate) return { status, certificate }
  throw new EnrollmentError('refused', `The grid reports the enrollment as "${status.slice(0, 40)}", which GridForge does not know.`)
}

/** `POST …/{id}/ack`: activates the API key this rig made; core keeps it short-lived until then. */
export async function acknowledgeEnrollment(pending: PendingEnrollment, fetcher?: typeof fetch): Promise<void> {
  const body = await post(pending.gridUrl, `${enrollmentPath(pending)}/ack`, fetcher, { poll_token: pending.pollToken })
  if ((body as { status?: unknown } | null)?.status !== 'activated')
    throw new EnrollmentError('refused', 'The grid did not activate the worker key it was sent.')
}

function enrollmentPath(pending: PendingEnrollment): string {
  return `/workers/enrollments/${encodeURIComponent(pending.enrollmentId)}`
}

async function post(gridUrl: string, path: string, fetcher: typeof fetch | undefined, body: unknown): Promise<unknown> {
  let url: string
  try {
    url = apiUrl('aipg', gridUrl, path)
  } catch (error) {
    throw new EnrollmentError('refused', error instanceof Error ? error.message : String(error))
  }
  let response: Response
  let text: string
  try {
    response = await (fetcher ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    text = await response.text()
  } catch (error) {
    throw new EnrollmentError('unreachable', `The grid could not be reached: ${networkSentence(url, error, 'the grid')}`)
  }
  if (response.ok) {
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new EnrollmentError('unreachable', `The grid sent an unreadable answer (HTTP ${response.status}).`)
    }
  }
  const said = readErrorBody(text).said
  // core: 503 "Native worker enrollment is not enabled."; 404 "… was not found or has expired".
  if (response.status === 503 && said && /not enabled/i.test(said)) throw new EnrollmentError('off', said)
  if (response.status === 404 && said && /expired|not found/i.test(said)) throw new EnrollmentError('expired', said)
  if (response.status >= 500 || response.status === 429 || !said)
    throw new EnrollmentError('unreachable', `The grid could not answer (HTTP ${response.status}${said ? `: ${said}` : ''}).`)
  throw new EnrollmentError('refused', `The grid refused the enrollment (HTTP ${response.status}): ${said}`)
}
