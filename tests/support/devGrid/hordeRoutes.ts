import { z } from 'zod'
import {
  flaskErrors,
  hordeError,
  MISSING_HEADER,
  methodNotAllowed,
  rateLimited,
  undecodableJson,
  validationError,
  type Reply,
} from './errors.js'
import { isRecord, type RequestContext } from './http.js'
import { PAYLOAD_DEFAULTS } from './hordePayload.js'
import type { HordeQueue, Procgen } from './jobQueue.js'
import { HordeRequesterRoutes } from './hordeRequester.js'
import { hordeThings } from './reward.js'
import { ANON_KEY, HORDE_VERSION, userId, type Account, type GridState } from './state.js'

/** §4.1, PopInputKobold; reqparse defaults for what the worker leaves out. */
const popSchema = z.object({
  name: z.string(),
  models: z.array(z.string().min(3).max(255)).default([]),
  max_length: z.int().default(512),
  max_context_length: z.int().default(2048),
  priority_usernames: z.array(z.string()).default([]),
  softprompts: z.array(z.string()).default([]),
  nsfw: z.boolean().default(true),
  bridge_agent: z.string().max(1000).default('unknown:0:unknown'),
  threads: z.int().min(1).max(50).default(1),
  amount: z.int().min(1).max(20).default(1),
  require_upfront_kudos: z.boolean().default(false),
  extra_slow_worker: z.boolean().default(false),
})

/** §6, SubmitInputKobold. */
const submitSchema = z.object({
  id: z.string(),
  generation: z.string(),
  state: z.enum(['ok', 'censored', 'faulted', 'csam']).default('ok'),
  seed: z.int().default(0),
  gen_metadata: z
    .array(
      z.object({
        type: z.enum(['censorship']),
        value: z.enum(['csam']),
        ref: z.string().max(255).optional(),
      }),
    )
    .max(50)
    .optional(),
})

const workerUpdateSchema = z.object({
  maintenance: z.boolean().optional(),
  maintenance_msg: z.string().optional(),
  info: z.string().max(1000).optional(),
  name: z.string().optional(),
  team: z.string().optional(),
})

export interface HordeWorker {
  id: string
  name: string
  user: string
  models: string[]
  max_length: number
  max_context_length: number
  bridge_agent: string
  threads: number
  nsfw: boolean
  createdAt: number
  lastCheckIn: number
  requestsFulfilled: number
  uncompletedJobs: number
  kudosGenerated: number
  /** tokens per second of each fulfilled job, for the `performance` string. */
  speeds: number[]
  /** When jobs were aborted or faulted, for the maintenance rule. */
  aborts: number[]
  maintenance: boolean
  maintenanceMsg: string | null
  info: string | null
}

const ONLINE_WINDOW_MS = 300_000
const ABORTS_PER_HOUR_LIMIT = 20
const MAINTENANCE_MESSAGE =
  'Maintenance mode activated because worker is dropping too many jobs. Please investigate if your ' +
  'performance has been impacted and consider reducing your max_power or your max_threads'
const NO_MODELS_MESSAGE = 'Unfortunately we cannot accept workers serving unrecognised models at this time'

export class HordeRoutes {
  readonly workers = new Map<string, HordeWorker>()
  private readonly hits = { pop: new Map<string, number[]>(), submit: new Map<string, number[]>() }
  private readonly requester: HordeRequesterRoutes

  constructor(
    private readonly state: GridState,
    private readonly queue: HordeQueue,
  ) {
    this.requester = new HordeRequesterRoutes(state, queue, (models) =>
      [...this.workers.values()].some(
        (worker) => this.isOnline(worker) && !worker.maintenance && (models.length === 0 || worker.models.some((m) => models.includes(m))),
      ),
    )
  }

  /** Routes below /api/v2; undefined when nothing matches. */
  handle(ctx: RequestContext): Reply | undefined {
    const path = ctx.path.replace(/^\/api\/v2/, '').replace(/\/$/, '')
    const route = (method: string, handler: () => Reply): Reply => (ctx.method === method ? handler() : methodNotAllowed)
    if (path === '/generate/text/pop') return route('POST', () => this.pop(ctx))
    if (path === '/generate/text/submit') return route('POST', () => this.submit(ctx))
    if (path === '/generate/text/async') return route('POST', () => this.requester.async(ctx))
    const status = /^\/generate\/text\/status\/([^/]+)$/.exec(path)
    if (status) {
      const id = decode(status[1]!)
      if (ctx.method === 'DELETE') return this.requester.cancel(id)
      return route('GET', () => this.requester.status(id))
    }
    if (path === '/find_user') return route('GET', () => this.findUser(ctx))
    if (path === '/status/heartbeat') return route('GET', () => this.heartbeat())
    if (path === '/status/models') return route('GET', () => this.models(ctx))
    if (path === '/workers') return route('GET', () => this.listWorkers(ctx))
    const byName = /^\/workers\/name\/([^/]+)$/.exec(path)
    if (byName) {
      return route('GET', () => this.workerDetails(ctx, this.workers.get(decode(byName[1]!))))
    }
    const byId = /^\/workers\/([^/]+)$/.exec(path)
    if (byId) {
      const worker = this.byId(decode(byId[1]!))
      if (ctx.method === 'PUT') return this.updateWorker(ctx, worker, byId[1]!)
      return route('GET', () => this.workerDetails(ctx, worker, byId[1]!))
    }
    return undefined
  }

  private pop(ctx: RequestContext): Reply {
    const reply = this.workerReply('pop', ctx, () => this.popInner(ctx))
    this.state.horde.pops.push({ ...asSeen(ctx, reply), headers: ctx.headers })
    return reply
  }

  private popInner(ctx: RequestContext): Reply {
    const body = parseBody(ctx, popSchema)
    if (!body.ok) return body.reply
    const account = this.authenticate(ctx, true)
    if ('status' in account) return account
    const pop = body.value
    const badPriority = pop.priority_usernames.find((name) => !name.includes('#'))
    if (badPriority !== undefined) {
      return hordeError(
        400,
        'InvalidPriorityUsername',
        `Priority usernames need to be provided in the form of 'alias#number'. Example: 'db0#1'`,
      )
    }
    const name = pop.name.trim()
    let worker = this.workers.get(name)
    const owner = this.state.ownerOf(name)
    if ((worker && worker.user !== account.user) || (owner && owner !== account.user)) {
      return hordeError(403, 'WrongCredentials', 'Wrong credentials to submit as this worker.')
    }
    if (!worker && /colab|tpu|google/i.test(name)) {
      return hordeError(400, 'BadRequest', 'Please use a more descriptive worker name.')
    }
    if (pop.models.length === 0) return hordeError(400, 'BadRequest', NO_MODELS_MESSAGE)
    const models = [...new Set(pop.models.map((model) => model.slice(0, 100)))].slice(0, 200)
    if (!worker) {
      const id = this.state.claimName(name, account.user)
      if (id === undefined) {
        return hordeError(403, 'WrongCredentials', 'Wrong credentials to submit as this worker.')
      }
      worker = {
        id,
        name,
        user: account.user,
        models,
        max_length: pop.max_length,
        max_context_length: pop.max_context_length,
        bridge_agent: pop.bridge_agent,
        threads: pop.threads,
        nsfw: pop.nsfw,
        createdAt: ctx.at,
        lastCheckIn: ctx.at,
        requestsFulfilled: 0,
        uncompletedJobs: 0,
        kudosGenerated: 0,
        speeds: [],
        aborts: [],
        maintenance: false,
        maintenanceMsg: null,
        info: null,
      }
      this.workers.set(name, worker)
      this.state.emit({ type: 'worker', network: 'horde', name, change: 'joined', models })
    }
    // Every pop is the check-in; the real horde debounces writes to one per 30 s, the dev grid
    // applies them at once so a test sees its change on the next pop.
    Object.assign(worker, {
      models,
      max_length: pop.max_length,
      max_context_length: pop.max_context_length,
      bridge_agent: pop.bridge_agent,
      threads: pop.threads,
      nsfw: pop.nsfw,
      lastCheckIn: ctx.at,
    })
    this.sweep(ctx.at)
    const found = worker.maintenance ? { skipped: {} } : this.queue.pop({ ...worker, amount: pop.amount }, worker, ctx.at)
    if ('skipped' in found) {
      if (worker.maintenance) {
        return hordeError(403, 'WorkerMaintenance', worker.maintenanceMsg ?? MAINTENANCE_MESSAGE)
      }
      return {
        status: 200,
        body: {
          payload: { ...PAYLOAD_DEFAULTS },
          id: null,
          ids: [],
          messages: [],
          ttl: null,
          extra_source_images: null,
          skipped: found.skipped,
          softprompt: null,
          model: null,
        },
      }
    }
    return {
      status: 200,
      body: {
        payload: { ...found.request.payload, n: 1 },
        id: found.ids[0],
        ids: found.ids,
        messages: [],
        ttl: this.state.options.hordeTtlSeconds,
        extra_source_images: null,
        skipped: {},
        softprompt: null,
        model: found.model,
      },
    }
  }

  private submit(ctx: RequestContext): Reply {
    const reply = this.workerReply('submit', ctx, () => this.submitInner(ctx))
    this.state.horde.submits.push(asSeen(ctx, reply))
    return reply
  }

  private submitInner(ctx: RequestContext): Reply {
    const body = parseBody(ctx, submitSchema)
    if (!body.ok) return body.reply
    const account = this.authenticate(ctx, false)
    if ('status' in account) return account
    this.sweep(ctx.at)
    const submit = body.value
    const procgen = this.queue.procgens.get(submit.id)
    if (!procgen) {
      return hordeError(404, 'InvalidJobID', `Processing Job with ID ${submit.id} does not exist.`)
    }
    if (procgen.user !== account.user) {
      return hordeError(403, 'WrongCredentials', 'Wrong credentials to submit as this worker.')
    }
    const worker = this.workers.get(procgen.worker)
    if (procgen.state === 'aborted') {
      return hordeError(
        400,
        'AbortedGen',
        `Processing Generation with ID ${procgen.id} took too long to process and has been aborted! ` +
          `Generations must complete within ${this.state.options.hordeTtlSeconds} seconds.`,
      )
    }
    if (procgen.state !== 'processing') {
      if (worker?.maintenance) return { status: 200, body: { reward: 0 } }
      return hordeError(400, 'DuplicateGen', `Processing Generation with ID ${procgen.id} already submitted.`)
    }
    if (submit.state === 'faulted') {
      procgen.state = 'faulted'
      const replacement = this.queue.requeue(procgen.request)
      if (worker) this.recordAbort(worker, ctx.at)
      this.settled(procgen, 'faulted', 0, 0)
      this.state.emit({
        type: 'requeued',
        network: 'horde',
        id: replacement,
        reason: `procgen ${procgen.id} faulted`,
      })
      return { status: 200, body: { reward: 0 } }
    }
    procgen.state = 'done'
    procgen.request.generations.push({ text: submit.generation, worker: procgen.worker, model: procgen.model, state: submit.state })
    const maxLength = Number(procgen.request.payload.max_length)
    const things = hordeThings(submit.generation, maxLength)
    const prompt = String(procgen.request.payload.prompt ?? '')
    const reward = this.state.reward({
      tokens: things,
      promptTokens: hordeThings(prompt, maxLength),
      network: 'horde',
      model: procgen.model,
      id: procgen.id,
    })
    const seconds = Math.max((ctx.at - procgen.poppedAt) / 1000, 0.001)
    if (worker) {
      worker.requestsFulfilled += 1
      worker.kudosGenerated += reward
      worker.speeds = [...worker.speeds, Math.round((things / seconds) * 10) / 10].slice(-20)
    }
    this.state.credit(procgen.user, reward)
    this.settled(procgen, submit.state, things, reward)
    return { status: 200, body: { reward } }
  }

  private settled(procgen: Procgen, state: string, tokens: number, reward: number): void {
    this.state.emit({
      type: 'settled',
      network: 'horde',
      id: procgen.id,
      worker: procgen.worker,
      model: procgen.model,
      state,
      tokens,
      reward,
    })
  }

  /** The horde's stale-procgen thread, run lazily: aborts count against the worker. */
  private sweep(now: number): void {
    for (const procgen of this.queue.sweep(now, this.state.options.hordeTtlSeconds * 1000)) {
      const worker = this.workers.get(procgen.worker)
      if (worker) this.recordAbort(worker, now)
      this.state.emit({
        type: 'requeued',
        network: 'horde',
        id: procgen.id,
        reason: `not submitted within ${this.state.options.hordeTtlSeconds} s`,
      })
    }
  }

  private recordAbort(worker: HordeWorker, now: number): void {
    worker.uncompletedJobs += 1
    worker.aborts = [...worker.aborts.filter((at) => now - at < 3_600_000), now]
    if (worker.aborts.length > ABORTS_PER_HOUR_LIMIT && !worker.maintenance) {
      worker.maintenance = true
      worker.maintenanceMsg = MAINTENANCE_MESSAGE
    }
  }

  /** Auth for pop and submit: header required (shape 2), then the anonymous and unknown keys. */
  private authenticate(ctx: RequestContext, isPop: boolean): Account | Reply {
    const key = ctx.headers.apikey
    if (key === undefined) return validationError({ apikey: MISSING_HEADER })
    if (key === ANON_KEY && isPop) {
      return hordeError(403, 'AnonForbiddenWorker', 'Anonymous user is forbidden from running a worker')
    }
    return this.state.account(key) ?? invalidKey()
  }

  /** A worker route's answer: a canned fault the test queued first, then the rate limit, then the route itself. */
  private workerReply(route: 'pop' | 'submit', ctx: RequestContext, answer: () => Reply): Reply {
    return this.state.takeCanned(route === 'pop' ? 'hordePop' : 'hordeSubmit') ?? this.limited(route, ctx) ?? answer()
  }

  /** flask-limiter's moving window, per IP and route. Requests it refuses do not count. */
  private limited(route: 'pop' | 'submit', ctx: RequestContext): Reply | undefined {
    const limit = this.state.options.hordeRateLimitPerSecond
    const recent = (this.hits[route].get(ctx.ip) ?? []).filter((at) => ctx.at - at < 1000)
    if (recent.length >= limit) {
      this.hits[route].set(ctx.ip, recent)
      return rateLimited(limit, (recent[0] ?? ctx.at) + 1000)
    }
    recent.push(ctx.at)
    this.hits[route].set(ctx.ip, recent)
    return undefined
  }

  private findUser(ctx: RequestContext): Reply {
    const key = ctx.headers.apikey
    if (!key) return invalidKey()
    const account = this.state.account(key)
    if (!account) return hordeError(404, 'UserNotFound', `User with API Key '${key}' not found.`)
    const workers = [...this.workers.values()].filter((worker) => worker.user === account.user)
    const kudos = round2(this.state.earnings.get(account.user) ?? 0)
    const fulfilled = workers.reduce((sum, worker) => sum + worker.requestsFulfilled, 0)
    return {
      status: 200,
      body: {
        username: account.user,
        id: userId(account.user),
        kudos,
        kudos_details: {
          accumulated: kudos,
          gifted: 0,
          donated: 0,
          admin: 0,
          received: 0,
          recurring: 0,
          awarded: 0,
          styled: 0,
        },
        concurrency: 30,
        worker_invited: 0,
        moderator: false,
        trusted: false,
        flagged: false,
        pseudonymous: false,
        service: false,
        education: false,
        customizer: false,
        deleted: false,
        account_age: 86_400,
        worker_count: workers.length,
        worker_ids: workers.map((worker) => worker.id),
        sharedkey_ids: [],
        contact: null,
        vpn: false,
        special: false,
        active_generations: { text: [], image: [], alchemy: [] },
        styles: [],
        records: {
          usage: { megapixelsteps: 0, tokens: 0 },
          contribution: { megapixelsteps: 0, tokens: 0 },
          fulfillment: { image: 0, text: fulfilled, interrogation: 0 },
          request: { image: 0, text: 0, interrogation: 0 },
          style: { image: 0, text: 0 },
        },
        usage: { megapixelsteps: null, requests: null },
        contributions: { megapixelsteps: null, fulfillments: null },
      },
    }
  }

  private heartbeat(): Reply {
    const online = [...this.workers.values()].filter((worker) => this.isOnline(worker))
    return {
      status: 200,
      body: {
        message: 'OK',
        version: HORDE_VERSION,
        queue: this.queue.pending(),
        threads: online.reduce((sum, worker) => sum + worker.threads, 0),
        active_count: online.length,
        db_connection: true,
      },
    }
  }

  private models(ctx: RequestContext): Reply {
    if ((ctx.query.get('type') ?? 'image') !== 'text') return { status: 200, body: [] }
    const counts = new Map<string, { count: number; speeds: number[] }>()
    for (const worker of this.workers.values()) {
      if (!this.isOnline(worker)) continue
      for (const model of worker.models) {
        const entry = counts.get(model) ?? { count: 0, speeds: [] }
        entry.count += 1
        entry.speeds.push(...worker.speeds)
        counts.set(model, entry)
      }
    }
    const body = [...counts].map(([name, entry]) => ({
      name,
      count: entry.count,
      performance: entry.speeds.length ? round2(average(entry.speeds)) : 0,
      queued: 0,
      jobs: 0,
      eta: 0,
      type: 'text',
    }))
    return { status: 200, body }
  }

  private listWorkers(ctx: RequestContext): Reply {
    const type = ctx.query.get('type')
    const name = ctx.query.get('name')
    const viewer = this.state.account(ctx.headers.apikey)
    const list = [...this.workers.values()].filter(
      (worker) => this.isOnline(worker) && (type === null || type === 'text') && (!name || worker.name === name),
    )
    return { status: 200, body: list.map((worker) => this.details(worker, viewer)) }
  }

  private workerDetails(ctx: RequestContext, worker: HordeWorker | undefined, asked = ''): Reply {
    if (!worker) return workerNotFound(asked || (ctx.path.split('/').at(-1) ?? ''))
    const viewer = this.state.account(ctx.headers.apikey)
    return { status: 200, body: this.details(worker, viewer) }
  }

  private updateWorker(ctx: RequestContext, worker: HordeWorker | undefined, asked: string): Reply {
    const body = parseBody(ctx, workerUpdateSchema)
    if (!body.ok) return body.reply
    const key = ctx.headers.apikey
    if (key === undefined) return validationError({ apikey: MISSING_HEADER })
    const account = this.state.account(key)
    if (!account) return invalidKey()
    if (!worker) return workerNotFound(decode(asked))
    if (worker.user !== account.user) {
      return hordeError(403, 'NotOwner', "You're not an admin. Sod off!")
    }
    const changes: Record<string, unknown> = {}
    if (body.value.maintenance !== undefined) {
      worker.maintenance = body.value.maintenance
      if (!worker.maintenance) worker.aborts = []
      worker.maintenanceMsg = worker.maintenance ? (body.value.maintenance_msg ?? 'Worker set to maintenance by its owner.') : null
      changes.maintenance = worker.maintenance
    }
    if (body.value.info !== undefined) {
      worker.info = body.value.info
      changes.info = worker.info
    }
    return { status: 200, body: changes }
  }

  /** §8.4 WorkerDetails for a text worker, with skip_none like flask-restx. */
  private details(worker: HordeWorker, viewer: Account | undefined): Record<string, unknown> {
    const details: Record<string, unknown> = {
      name: worker.name,
      id: worker.id,
      type: 'text',
      online: this.isOnline(worker),
      requests_fulfilled: worker.requestsFulfilled,
      kudos_rewards: round2(worker.kudosGenerated),
      kudos_details: { generated: round2(worker.kudosGenerated), uptime: 0 },
      performance: worker.speeds.length ? `${average(worker.speeds).toFixed(1)} tokens per second` : 'No requests fulfilled yet',
      threads: worker.threads,
      uptime: Math.round((Date.now() - worker.createdAt) / 1000),
      uncompleted_jobs: worker.uncompletedJobs,
      maintenance_mode: worker.maintenance,
      nsfw: worker.nsfw,
      trusted: false,
      flagged: false,
      team: { name: null, id: null },
      bridge_agent: worker.bridge_agent,
      models: worker.models,
      max_length: worker.max_length,
      max_context_length: worker.max_context_length,
    }
    if (worker.info !== null) details.info = worker.info
    if (viewer?.user === worker.user) {
      details.owner = worker.user
      details.messages = []
    }
    return details
  }

  private byId(id: string): HordeWorker | undefined {
    return [...this.workers.values()].find((worker) => worker.id === id)
  }

  private isOnline(worker: HordeWorker): boolean {
    return Date.now() - worker.lastCheckIn <= ONLINE_WINDOW_MS
  }
}

function parseBody<T extends z.ZodType>(ctx: RequestContext, schema: T): { ok: true; value: z.output<T> } | { ok: false; reply: Reply } {
  if (ctx.undecodable) return { ok: false, reply: undecodableJson }
  if (!isRecord(ctx.json)) {
    return {
      ok: false,
      reply: validationError({
        '': `${ctx.json === undefined ? 'None' : JSON.stringify(ctx.json)} is not of type 'object'`,
      }),
    }
  }
  const parsed = schema.safeParse(ctx.json, { reportInput: true })
  if (!parsed.success) return { ok: false, reply: validationError(flaskErrors(parsed.error.issues)) }
  return { ok: true, value: parsed.data }
}

function invalidKey(): Reply {
  return hordeError(
    401,
    'InvalidAPIKey',
    'No user matching sent API Key. Have you remembered to register at https://aihorde.net/register ?',
  )
}

function workerNotFound(id: string): Reply {
  return hordeError(404, 'WorkerNotFound', `Worker with ID '${id}' not found.`)
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

function average(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}

/** A worker request and the reply as the grid's records keep them. */
function asSeen(ctx: RequestContext, reply: Reply) {
  return { at: ctx.at, body: isRecord(ctx.json) ? ctx.json : {}, status: reply.status, response: reply.raw ?? reply.body }
}
