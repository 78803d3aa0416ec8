import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { parseAddress } from '../../../src/grid/identity/address.js'
import { delegationMessage, type DelegationPayload } from '../../../src/grid/identity/delegation.js'
import { parseSignature, recoverPersonalSigner } from '../../../src/grid/identity/personalSign.js'
import { DELEGATION_AUDIENCE, DELEGATION_CHAIN_ID } from '../../../src/grid/identity/protocol.js'
import { detail, type Reply } from './errors.js'
import { apiKeyOf, type RequestContext } from './http.js'
import type { GridState } from './state.js'
import type { DevEnrollment } from './types.js'

const ID = /^[A-Za-z0-9_-]{20,80}$/
const API_KEY = /^grid_[A-Za-z0-9_-]{32,64}$/
const NOT_FOUND = 'worker enrollment was not found or has expired'

const createSchema = z.strictObject({
  worker_signer: z.string().min(42).max(42),
  worker_name: z.string().min(1).max(120),
  profile_id: z.string().min(1).max(128),
  api_key: z.string(),
  poll_token_hash: z.string().min(64).max(64),
  valid_days: z.number().int().min(1).max(365).default(90),
})
const pollSchema = z.strictObject({ poll_token: z.string() })
const prepareSchema = z.strictObject({ payout_wallet: z.string().min(42).max(42), replace_payout_wallet: z.boolean().default(false) })
const approveSchema = z.strictObject({ signature: z.string() })

/**
 * core's device enrollment (grid-core `routers/worker_enrollment.py`, `services/worker_enrollment.py`; §16.2): create,
 * poll and ack for the worker; prepare and approve for the console, which the dev grid takes with the account's API
 * key where core wants a fresh wallet or Google session. `deny` stands in for the owner closing the console page.
 */
export class EnrollmentRoutes {
  constructor(private readonly state: GridState) {}

  handle(ctx: RequestContext): Reply | undefined {
    if (ctx.path.startsWith('/console/workers/enroll/')) return this.consolePage(ctx.path.slice('/console/workers/enroll/'.length))
    if (ctx.path !== '/v1/workers/enrollments' && !ctx.path.startsWith('/v1/workers/enrollments/')) return undefined
    const enrollment = this.state.aipg.enrollment
    if (!enrollment.enabled) return detail(503, 'Native worker enrollment is not enabled.')
    const [id, action] = ctx.path.slice('/v1/workers/enrollments'.length).split('/').filter(Boolean)
    if (id === undefined) return ctx.method === 'POST' ? this.create(ctx) : detail(405, 'Method Not Allowed')
    if (action === undefined) return ctx.method === 'GET' ? this.publicView(id) : detail(405, 'Method Not Allowed')
    if (ctx.method !== 'POST') return detail(405, 'Method Not Allowed')
    switch (action) {
      case 'poll':
        return this.poll(id, ctx)
      case 'ack':
        return this.ack(id, ctx)
      case 'prepare':
        return this.prepare(id, ctx)
      case 'approve':
        return this.approve(id, ctx)
      case 'deny':
        return this.deny(id)
      default:
        return detail(404, 'Not Found')
    }
  }

  /** The console's part, in process: prepare for the account's payout wallet, sign with `sign`, approve. */
  async approveWith(id: string, sign: (message: string) => Promise<string>, apiKey: string): Promise<Reply> {
    const account = this.state.account(apiKey)
    if (!account?.payoutWallet) throw new Error('approveEnrollment: the account needs a payout wallet')
    const prepared = this.prepare(id, { headers: { apikey: apiKey }, json: { payout_wallet: account.payoutWallet } })
    if (prepared.status !== 200) return prepared
    const { message } = prepared.body as { message: string }
    return this.approve(id, { headers: { apikey: apiKey }, json: { signature: await sign(message) } })
  }

  deny(id: string): Reply {
    const record = this.load(id)
    if (!record) return detail(404, NOT_FOUND)
    if (record.status !== 'pending' && record.status !== 'prepared') return detail(409, 'worker enrollment is already completed')
    record.status = 'denied'
    return { status: 200, body: { status: 'denied' } }
  }

  private create(ctx: RequestContext): Reply {
    const parsed = createSchema.safeParse(ctx.json)
    if (!parsed.success) return validation(parsed.error)
    const form = parsed.data
    const fail = (message: string) => detail(400, message)
    let signer: string
    try {
      signer = parseAddress(form.worker_signer)
    } catch {
      return fail('worker signer is not an address')
    }
    if (form.worker_name.trim() !== form.worker_name) return fail('worker name must be trimmed and at most 120 characters')
    if (form.profile_id.trim() !== form.profile_id) return fail('profile id must be trimmed and at most 128 characters')
    if (!API_KEY.test(form.api_key)) return fail('candidate worker credential has an invalid format')
    if (!/^[0-9a-f]{64}$/.test(form.poll_token_hash)) return fail('poll token commitment must be lowercase SHA-256 hex')
    const enrollment = this.state.aipg.enrollment
    const id = randomBytes(24).toString('base64url')
    const created = Math.floor(Date.now() / 1000)
    const record: DevEnrollment = {
      id,
      status: 'pending',
      createdAt: created,
      expiresAt: created + enrollment.ttlSeconds,
      delegationId: randomBytes(16).toString('hex'),
      workerSigner: signer,
      workerName: form.worker_name,
      profileId: form.profile_id,
      apiKeyHash: sha256(form.api_key),
      apiKey: form.api_key,
      pollTokenHash: form.poll_token_hash,
      validDays: form.valid_days,
      user: null,
      payload: null,
      certificate: null,
    }
    enrollment.records.set(id, record)
    return {
      status: 200,
      body: {
        enrollment_id: id,
        authorize_url: `http://127.0.0.1:${this.state.port}/console/workers/enroll/${id}`,
        expires_at: record.expiresAt,
        poll_after_seconds: 2,
      },
    }
  }

  private publicView(id: string): Reply {
    const record = this.load(id)
    if (!record) return detail(404, NOT_FOUND)
    return {
      status: 200,
      body: {
        enrollment_id: id,
        status: record.status,
        worker_signer: record.workerSigner,
        worker_name: record.workerName,
        profile_id: record.profileId,
        expires_at: record.expiresAt,
        chain_id: DELEGATION_CHAIN_ID,
        audience: DELEGATION_AUDIENCE,
      },
    }
  }

  private poll(id: string, ctx: Pick<RequestContext, 'json'>): Reply {
    const record = this.load(id)
    if (!record) return detail(404, NOT_FOUND)
    const token = this.pollToken(record, ctx)
    if (token) return token
    const body: Record<string, unknown> = { status: record.status }
    if (record.status === 'complete' || record.status === 'activated') {
      body.certificate = record.certificate
      body.worker_name = record.workerName
    }
    return { status: 200, body }
  }

  private ack(id: string, ctx: Pick<RequestContext, 'json'>): Reply {
    const record = this.load(id)
    if (!record) return detail(404, NOT_FOUND)
    const token = this.pollToken(record, ctx)
    if (token) return token
    if (record.status === 'activated') return { status: 200, body: { status: 'activated' } }
    if (record.status !== 'complete') return detail(409, 'worker enrollment is not ready to activate')
    // The key the worker made becomes one of the account's: usable for the worker socket and the account endpoints.
    this.state.enrolledKeys.set(record.apiKey, {
      user: record.user!,
      scopes: ['worker.connect'],
      payoutWallet: record.payload!.payout_wallet,
    })
    record.status = 'activated'
    return { status: 200, body: { status: 'activated' } }
  }

  private prepare(id: string, ctx: Pick<RequestContext, 'json' | 'headers'>): Reply {
    const account = this.state.account(apiKeyOf(ctx.headers))
    if (!account) return detail(401, 'Invalid API key')
    const parsed = prepareSchema.safeParse(ctx.json)
    if (!parsed.success) return validation(parsed.error)
    let wallet: string
    try {
      wallet = parseAddress(parsed.data.payout_wallet)
    } catch {
      return detail(400, 'payout wallet is not an address')
    }
    const record = this.load(id)
    if (!record) return detail(404, NOT_FOUND)
    if (record.status !== 'pending' && record.status !== 'prepared') return detail(409, 'worker enrollment is already completed')
    const existing = account.payoutWallet.toLowerCase()
    if (existing && existing !== wallet && !parsed.data.replace_payout_wallet)
      return detail(409, 'this account already has a different payout wallet; explicit replacement is required')
    if (record.status === 'prepared') {
      if (record.user !== account.user) return detail(409, 'worker enrollment was prepared by another account')
      return { status: 200, body: { message: delegationMessage(record.payload!), payload: record.payload } }
    }
    const issued = Math.floor(Date.now() / 1000)
    record.payload = {
      version: 1,
      chain_id: DELEGATION_CHAIN_ID,
      audience: DELEGATION_AUDIENCE,
      delegation_id: record.delegationId,
      payout_wallet: wallet as DelegationPayload['payout_wallet'],
      worker_signer: record.workerSigner as DelegationPayload['worker_signer'],
      worker_name: record.workerName,
      issued_at: issued,
      expires_at: issued + record.validDays * 86_400,
    }
    record.status = 'prepared'
    record.user = account.user
    return { status: 200, body: { message: delegationMessage(record.payload), payload: record.payload } }
  }

  private approve(id: string, ctx: Pick<RequestContext, 'json' | 'headers'>): Reply {
    const account = this.state.account(apiKeyOf(ctx.headers))
    if (!account) return detail(401, 'Invalid API key')
    const parsed = approveSchema.safeParse(ctx.json)
    if (!parsed.success) return validation(parsed.error)
    const record = this.load(id)
    if (!record) return detail(404, NOT_FOUND)
    if (record.status === 'complete' || record.status === 'activated') return { status: 200, body: { status: record.status } }
    if (record.status !== 'prepared') return detail(409, 'worker enrollment must be prepared before approval')
    if (record.user !== account.user) return detail(401, 'worker enrollment belongs to another account')
    let recovered: string
    try {
      recovered = recoverPersonalSigner(delegationMessage(record.payload!), parseSignature(parsed.data.signature))
    } catch {
      return detail(401, 'invalid payout-wallet delegation signature')
    }
    if (recovered !== record.payload!.payout_wallet) return detail(401, 'delegation was not signed by the payout wallet')
    record.certificate = { payload: record.payload!, signature: parsed.data.signature }
    record.status = 'complete'
    return { status: 200, body: { status: 'complete' } }
  }

  /** What the console shows at `authorize_url`; approving needs the owner's wallet (tests: `grid.approveEnrollment`). */
  private consolePage(id: string): Reply {
    const record = this.load(id)
    const text = record
      ? `Approve worker "${record.workerName}" (key ${record.workerSigner}) with your payout wallet. Status: ${record.status}.`
      : 'This enrollment was not found or has expired.'
    return { status: record ? 200 : 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, raw: `${text}\n` }
  }

  private load(id: string): DevEnrollment | undefined {
    if (!ID.test(id)) return undefined
    const record = this.state.aipg.enrollment.records.get(id)
    // core keeps the state in Redis with the TTL: once it lapses the enrollment is simply gone.
    if (!record || record.expiresAt <= Math.floor(Date.now() / 1000)) return undefined
    return record
  }

  private pollToken(record: DevEnrollment, ctx: Pick<RequestContext, 'json'>): Reply | undefined {
    const parsed = pollSchema.safeParse(ctx.json)
    if (!parsed.success) return validation(parsed.error)
    const token = parsed.data.poll_token
    if (token.length < 32 || token.length > 200 || sha256(token) !== record.pollTokenHash)
      return detail(401, 'invalid worker enrollment poll token')
    return undefined
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

function validation(error: z.ZodError): Reply {
  return detail(
    422,
    error.issues.map((issue) => ({ type: issue.code, loc: ['body', ...issue.path.map(String)], msg: issue.message })),
  )
}
