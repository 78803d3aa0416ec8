import type { ServerResponse } from 'node:http'
import { z } from 'zod'
import type { AipgHub } from './aipgSocket.js'
import { EnrollmentRoutes } from './enrollmentRoutes.js'
import { detail, type Reply } from './errors.js'
import { apiKeyOf, isRecord, type RequestContext } from './http.js'
import type { AipgJob } from './jobQueue.js'
import type { GridState } from './state.js'
import type { DevRig } from './types.js'

const chatSchema = z.looseObject({
  model: z.string().default('auto'),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })).min(1),
  stream: z.boolean().default(false),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).optional(),
})

type NewJob = (model: string | undefined, request: Record<string, unknown>) => AipgJob

/** AIPG's FastAPI surface (§13.2 "AIPG v1 REST") plus /health. */
export class AipgRoutes {
  readonly enrollment: EnrollmentRoutes

  constructor(
    private readonly state: GridState,
    private readonly hub: AipgHub,
    private readonly newJob: NewJob,
  ) {
    this.enrollment = new EnrollmentRoutes(state)
  }

  /** Returns a reply, 'streaming' when it answers `res` itself, or undefined for no route. */
  handle(ctx: RequestContext, res: ServerResponse): Reply | 'streaming' | undefined {
    const get = (handler: () => Reply): Reply => (ctx.method === 'GET' ? handler() : detail(405, 'Method Not Allowed'))
    const enrollment = this.enrollment.handle(ctx)
    if (enrollment) return enrollment
    switch (ctx.path) {
      case '/health':
        return get(() => ({ status: 200, body: { status: 'ok' } }))
      case '/v1/models':
        return get(() => this.models())
      case '/v1/workers':
        return get(() => this.workers())
      case '/v1/status/models':
        return get(() => this.statusModels())
      case '/v1/status/network':
        return get(() => this.statusNetwork())
      case '/v1/account':
        return get(() => this.accountInfo(ctx))
      case '/v1/account/workers':
        return get(() => this.accountWorkers(ctx))
      case '/v1/account/jobs':
        return get(() => this.accountJobs(ctx))
      case '/v1/account/payouts':
        return get(() => this.accountPayouts(ctx))
      case '/v1/models/registry':
        return get(() =>
          this.state.aipg.registry ? { status: 200, body: { version: 1, models: this.state.aipg.registry } } : detail(404, 'Not Found'),
        )
      case '/v1/chat/completions':
        if (ctx.method !== 'POST') return detail(405, 'Method Not Allowed')
        return this.chat(ctx, res)
      default:
        return ctx.path.startsWith('/v1/') ? detail(404, 'Not Found') : undefined
    }
  }

  private textModels(): string[] {
    const models = new Set<string>()
    for (const worker of this.hub.online()) {
      if (worker.job_types.includes('text')) worker.models.forEach((model) => models.add(model))
    }
    return [...models].sort()
  }

  private models(): Reply {
    const created = Math.floor(Date.now() / 1000)
    const models = this.textModels()
    // The grid lists a virtual `auto` (any model) whenever something can serve it.
    const ids = models.length ? ['auto', ...models] : []
    return {
      status: 200,
      body: {
        object: 'list',
        data: ids.map((id) => ({ id, object: 'model', created, owned_by: 'grid' })),
      },
    }
  }

  private workers(): Reply {
    const workers = this.hub.online().map((worker) => ({
      id: worker.id,
      name: worker.name,
      models: worker.models,
      job_types: worker.job_types,
      online: true,
    }))
    return { status: 200, body: { count: workers.length, workers } }
  }

  private statusModels(): Reply {
    const byModel = new Map<string, { count: number; ctx: number; speeds: number[] }>()
    for (const worker of this.hub.online()) {
      const record = this.hub.workers.get(worker.name)
      for (const model of worker.models) {
        const entry = byModel.get(model) ?? { count: 0, ctx: 0, speeds: [] }
        entry.count += 1
        entry.ctx = Math.max(entry.ctx, worker.max_context_length)
        entry.speeds.push(...(record?.tokensPerSecond ?? []))
        byModel.set(model, entry)
      }
    }
    const body = [...byModel].map(([name, entry]) => ({
      name,
      count: entry.count,
      type: 'text',
      max_context_length: entry.ctx,
      samples: entry.speeds.length,
      tokens_per_s: entry.speeds.length ? Math.round((entry.speeds.reduce((a, b) => a + b, 0) / entry.speeds.length) * 10) / 10 : null,
      avg_ttft_s: null,
      avg_latency_s: null,
    }))
    return { status: 200, body }
  }

  /** core's public capacity view (§16.6): workers per online model against the redundancy target of 3. */
  private statusNetwork(): Reply {
    const target = 3
    const online = this.hub.online()
    const workers = new Map<string, number>()
    for (const worker of online) for (const model of worker.models) workers.set(model, (workers.get(model) ?? 0) + 1)
    const models = [...workers].map(([name, count]) => ({ name, type: 'text', workers: count, capabilities: [] }))
    return {
      status: 200,
      body: {
        status: 'operational',
        capacity: {
          workers_online: online.length,
          models_online: models.length,
          redundancy_target: target,
          models_below_target: models.filter((model) => model.workers < target).map((model) => model.name),
          models,
        },
        advisories: models.some((model) => model.workers < target) ? [{ code: 'limited_model_redundancy' }] : [],
      },
    }
  }

  private accountInfo(ctx: RequestContext): Reply {
    const account = this.state.account(apiKeyOf(ctx.headers))
    if (!account) return detail(401, apiKeyOf(ctx.headers) ? 'Invalid API key' : 'Missing API key')
    return { status: 200, body: { account_id: account.user, username: account.user, wallet: null, payout_wallet: account.payoutWallet } }
  }

  /** core's operator trust view: the jobs paid to this account's payout wallet, newest first, hashes only. */
  private accountJobs(ctx: RequestContext): Reply {
    const account = this.state.account(apiKeyOf(ctx.headers))
    if (!account) return detail(401, apiKeyOf(ctx.headers) ? 'Invalid API key' : 'Missing API key')
    const wallet = account.payoutWallet.toLowerCase()
    if (!wallet)
      return { status: 200, body: { payout_wallet: '', jobs: [], note: 'set a payout wallet to attribute + settle your worker jobs' } }
    const requested = Number(ctx.query.get('limit') ?? 50)
    const limit = Math.max(1, Math.min(Number.isInteger(requested) ? requested : 50, 100))
    const rows = this.state.aipg.ledger
      .filter((row) => row.wallet === wallet)
      .reverse()
      .slice(0, limit)
    return {
      status: 200,
      body: {
        payout_wallet: wallet,
        total_den: Math.round(rows.reduce((sum, row) => sum + row.den, 0) * 1000) / 1000,
        jobs: rows.map((row) => ({
          job_id: row.jobId,
          model: row.model,
          type: 'text',
          den: Math.round(row.den * 1000) / 1000,
          output_units: row.outputUnits,
          duration_s: round2(row.durationS),
          ttft_s: row.ttftS === null ? null : Math.round(row.ttftS * 1000) / 1000,
          result_hash: row.resultHash,
          signed: row.signed,
          epoch_id: null,
          created: row.created,
        })),
      },
    }
  }

  private accountWorkers(ctx: RequestContext): Reply {
    const key = apiKeyOf(ctx.headers)
    if (!key) return detail(401, 'Missing API key')
    const account = this.state.account(key)
    if (!account) return detail(401, 'Invalid API key')
    const records = [...this.hub.workers.values()].filter((record) => record.user === account.user)
    const workers: DevRig[] = records.map((record) => ({
      name: record.name,
      type: record.jobTypes[0] ?? 'text',
      models: record.models,
      den_earned: round2(record.denEarned),
      jobs_completed: record.jobsCompleted,
      last_seen: new Date(record.lastSeen).toISOString(),
      maintenance: false,
      online: record.connection !== undefined,
    }))
    const here = new Set(workers.map((worker) => worker.name))
    workers.push(...(this.state.aipg.rigs.get(account.user) ?? []).filter((rig) => !here.has(rig.name)))
    return {
      status: 200,
      body: {
        count: workers.length,
        online: workers.filter((worker) => worker.online).length,
        den_earned: round2(workers.reduce((sum, worker) => sum + worker.den_earned, 0)),
        jobs_completed: workers.reduce((sum, worker) => sum + worker.jobs_completed, 0),
        workers,
      },
    }
  }

  /** What the grid accrued and paid the account (§16.6); tests set it in `aipg.payouts`. */
  private accountPayouts(ctx: RequestContext): Reply {
    const key = apiKeyOf(ctx.headers)
    if (!key) return detail(401, 'Missing API key')
    const account = this.state.account(key)
    if (!account) return detail(401, 'Invalid API key')
    const payouts = this.state.aipg.payouts.get(account.user) ?? { accrued_aipg: 0, paid_aipg: 0, payouts: [] }
    return { status: 200, body: { ...payouts, periods: payouts.payouts.length } }
  }

  /** OpenAI chat completions through the grid: queue a job and relay the worker's stream. */
  private chat(ctx: RequestContext, res: ServerResponse): Reply | 'streaming' {
    const canned = this.state.takeCanned('aipgChat')
    if (canned) return canned
    const key = apiKeyOf(ctx.headers)
    if (!key) return detail(401, 'Missing API key')
    if (!this.state.account(key)) return detail(401, 'Invalid API key')
    if (ctx.undecodable) {
      return detail(422, [{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error' }])
    }
    const parsed = chatSchema.safeParse(ctx.json)
    if (!parsed.success) {
      return detail(
        422,
        parsed.error.issues.map((issue) => ({
          type: issue.code,
          loc: ['body', ...issue.path.map(String)],
          msg: issue.message,
        })),
      )
    }
    const request = parsed.data
    const model = request.model === 'auto' ? undefined : request.model
    if (!this.hub.canServe(model)) {
      return detail(503, `No workers available for model: ${request.model}`)
    }
    const job = this.newJob(model, request)
    const completionId = `chatcmpl-${job.id}`
    const created = Math.floor(Date.now() / 1000)
    let finished = false
    res.on('close', () => {
      if (!finished) this.hub.cancel(job.id)
    })
    if (request.stream) {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
      })
      const chunk = (delta: Record<string, unknown>, finishReason: unknown, extra = {}) =>
        res.write(
          `data: ${JSON.stringify({
            id: completionId,
            object: 'chat.completion.chunk',
            created,
            model: request.model,
            choices: [{ index: 0, delta, finish_reason: finishReason ?? null }],
            ...extra,
          })}\n\n`,
        )
      job.listener = {
        onToken: (frame) => chunk(tokenDelta(frame), frame.finish_reason),
        onDone: (frame) => {
          finished = true
          chunk({}, frame.finish_reason ?? 'stop')
          if (request.stream_options?.include_usage) {
            res.write(
              `data: ${JSON.stringify({
                id: completionId,
                object: 'chat.completion.chunk',
                created,
                model: request.model,
                choices: [],
                usage: frame.usage ?? null,
              })}\n\n`,
            )
          }
          res.end('data: [DONE]\n\n')
        },
        onError: (message) => {
          finished = true
          res.write(`data: ${JSON.stringify({ error: { message, type: 'worker_error' } })}\n\n`)
          res.end('data: [DONE]\n\n')
        },
      }
    } else {
      job.listener = {
        onToken: () => undefined,
        onDone: (frame) => {
          finished = true
          const message: Record<string, unknown> = {
            role: 'assistant',
            content: typeof frame.full_text === 'string' ? frame.full_text : '',
          }
          if (typeof frame.full_reasoning === 'string' && frame.full_reasoning !== '') {
            message.reasoning_content = frame.full_reasoning
          }
          reply(res, 200, {
            id: completionId,
            object: 'chat.completion',
            created,
            model: request.model,
            choices: [{ index: 0, message, finish_reason: frame.finish_reason ?? 'stop' }],
            usage: frame.usage ?? null,
          })
        },
        onError: (message, clientError) => {
          finished = true
          reply(res, clientError ? 400 : 502, { detail: message })
        },
      }
    }
    this.hub.enqueue(job)
    return 'streaming'
  }
}

/** The OpenAI delta a token frame stands for; legacy frames carry `text` and `reasoning`. */
function tokenDelta(frame: Record<string, unknown>): Record<string, unknown> {
  if (isRecord(frame.delta)) return frame.delta
  const text = typeof frame.text === 'string' ? frame.text : ''
  return frame.reasoning === true ? { reasoning_content: text } : { content: text }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded) return
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}
