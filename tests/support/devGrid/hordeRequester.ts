import { z } from 'zod'
import { flaskErrors, hordeError, MISSING_HEADER, undecodableJson, validationError, type Reply } from './errors.js'
import { isRecord, type RequestContext } from './http.js'
import { hordePayload } from './hordePayload.js'
import type { HordeQueue, HordeRequest } from './jobQueue.js'
import type { GridState } from './state.js'

/** §8.1 GenerationInputKobold, the parts a chat client sends. */
const asyncSchema = z.looseObject({
  prompt: z.string(),
  params: z
    .looseObject({ n: z.int().min(1).max(20).default(1), max_length: z.int().min(16).max(4096).default(80) })
    .default({ n: 1, max_length: 80 }),
  models: z.array(z.string()).default([]),
  nsfw: z.boolean().default(true),
})

/** Requests above this many tokens need kudos up front (§8.1, with an empty queue). */
const UPFRONT_KUDOS_LENGTH = 512
/** The dev grid's guess of how long each request ahead takes. */
const SECONDS_PER_REQUEST = 5
const NO_WORKERS_WARNING =
  'Warning: No available workers can fulfill this request. It will expire in 20 minutes unless a worker appears. Please consider reducing the size of the request or choosing a different model.'

/** The requester side of the horde's text API (§8.1, §8.2): what a chat client uses. */
export class HordeRequesterRoutes {
  constructor(
    private readonly state: GridState,
    private readonly queue: HordeQueue,
    /** Whether an online worker serves one of these models (any model when empty). */
    private readonly canServe: (models: string[]) => boolean,
  ) {}

  async(ctx: RequestContext): Reply {
    const canned = this.state.takeCanned('hordeAsync')
    if (canned) return canned
    if (ctx.undecodable) return undecodableJson
    const key = ctx.headers.apikey
    if (key === undefined) return validationError({ apikey: MISSING_HEADER })
    const account = key === '0000000000' ? { user: 'Anonymous#0' } : this.state.account(key)
    if (!account) {
      return hordeError(
        401,
        'InvalidAPIKey',
        'No user matching sent API Key. Have you remembered to register at https://aihorde.net/register ?',
      )
    }
    if (!isRecord(ctx.json)) return validationError({ '': "None is not of type 'object'" })
    const parsed = asyncSchema.safeParse(ctx.json, { reportInput: true })
    if (!parsed.success) return validationError(flaskErrors(parsed.error.issues))
    const { prompt, params, models, nsfw } = parsed.data
    if (prompt.trim() === '') return hordeError(400, 'MissingPrompt', 'You cannot specify an empty prompt.')
    if (params.max_length > UPFRONT_KUDOS_LENGTH && (this.state.earnings.get(account.user) ?? 0) < params.max_length) {
      return hordeError(
        403,
        'KudosUpfront',
        `Due to heavy demand, for requests over ${UPFRONT_KUDOS_LENGTH} tokens, the client needs to already have the required kudos.`,
      )
    }
    const request = this.queue.addRequest(models, hordePayload({ ...params, prompt }), params.n, nsfw)
    const body: Record<string, unknown> = { id: request.id, kudos: 1 }
    if (!this.canServe(models)) body.message = NO_WORKERS_WARNING
    return { status: 202, body }
  }

  status(id: string): Reply {
    const canned = this.state.takeCanned('hordeStatus')
    if (canned) return canned
    const found = this.queue.find(id)
    if (!found) return notFound(id)
    return { status: 200, body: this.describe(found.request, found.ahead) }
  }

  /** DELETE sets n to 0: nothing more is handed out; generations in flight still finish (§8.2). */
  cancel(id: string): Reply {
    const found = this.queue.find(id)
    if (!found) return notFound(id)
    const body = this.describe(found.request, found.ahead)
    found.request.waiting.splice(0)
    found.request.cancelled = true
    return { status: 200, body }
  }

  private describe(request: HordeRequest, ahead: number): Record<string, unknown> {
    const procgens = this.queue.procgensOf(request)
    const processing = procgens.filter((procgen) => procgen.state === 'processing').length
    const restarted = procgens.filter((procgen) => procgen.state === 'faulted' || procgen.state === 'aborted').length
    const waiting = request.waiting.length
    const finished = request.generations.length
    return {
      finished,
      processing,
      restarted,
      waiting,
      done: waiting === 0 && processing === 0 && finished > 0,
      faulted: false,
      wait_time: waiting > 0 ? (ahead + 1) * SECONDS_PER_REQUEST : processing > 0 ? SECONDS_PER_REQUEST : 0,
      queue_position: waiting > 0 ? ahead : 0,
      kudos: finished,
      is_possible: this.canServe(request.models),
      generations: request.generations.map((generation) => ({
        text: generation.text,
        seed: 0,
        gen_metadata: [],
        worker_id: generation.worker,
        worker_name: generation.worker,
        model: generation.model,
        state: generation.state,
      })),
    }
  }
}

function notFound(id: string): Reply {
  return hordeError(404, 'RequestNotFound', `Request with ID '${id}' not found.`)
}
