import { z } from 'zod'
import { linkedAbort } from '../abort.js'
import { errorAnswer } from '../../grid/errorAnswer.js'
import { gridHeaders } from '../../grid/gridAuth.js'
import { GridError, unreachableError, unreadableAnswer } from '../../grid/gridError.js'
import { apiUrl } from '../../grid/gridUrls.js'
import { jobRewardSchema } from '../rewards.js'
import { hordePayloadSchema } from '../params.js'

/** The capabilities sent with every pop (§4.1); the pop is also the worker's heartbeat. */
export interface HordeCapabilities {
  name: string
  models: string[]
  maxLength: number
  maxContextLength: number
  threads: number
  nsfw: boolean
  bridgeAgent: string
}

/** A popped job: one payload, one or more ids to submit (§4.2). */
export interface HordeJob {
  ids: string[]
  model: string
  /** Null when the grid sent a payload that cannot be read: the job is answered `faulted`. */
  payload: z.infer<typeof hordePayloadSchema> | null
  ttlSeconds: number
}

const popSchema = z.looseObject({
  id: z.string().nullable().optional(),
  ids: z.array(z.string()).optional().default([]),
  payload: z.unknown().optional(),
  model: z.string().nullable().optional(),
  ttl: z.number().nullable().optional(),
  skipped: z.record(z.string(), z.unknown()).nullable().optional(),
})

const submitSchema = z.looseObject({ reward: jobRewardSchema.catch(0) })

const POP_TIMEOUT_MS = 40_000
const SUBMIT_TIMEOUT_MS = 60_000

/** REST client for the AI Horde's text worker endpoints. Every answer is parsed; nothing is trusted. */
export function createHordeClient(options: { gridUrl: string; apiKey: string; clientAgent: string; fetch?: typeof fetch }) {
  const base = apiUrl('horde', options.gridUrl, '')
  const doFetch = options.fetch ?? fetch
  const headers = gridHeaders('horde', { apiKey: options.apiKey, agent: options.clientAgent }, { json: true, accept: 'application/json' })

  async function post(path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    const abort = linkedAbort(signal)
    const timer = setTimeout(abort.abort, timeoutMs)
    let response: Response
    let text: string
    try {
      response = await doFetch(base + path, { method: 'POST', headers, body: JSON.stringify(body), signal: abort.signal })
      text = await response.text()
    } catch (error) {
      throw unreachableError(error, base + path)
    } finally {
      clearTimeout(timer)
      abort.dispose()
    }
    if (!response.ok) throw errorAnswer('horde', response.status, text, response.headers.get('retry-after'))
    try {
      return JSON.parse(text)
    } catch {
      throw unreadableAnswer(response.status)
    }
  }

  return {
    /** Asks for a job; `null` means none right now. */
    async pop(capabilities: HordeCapabilities, signal?: AbortSignal): Promise<{ job: HordeJob | null; skipped: Record<string, unknown> }> {
      const answer = popSchema.safeParse(
        await post(
          '/generate/text/pop',
          {
            name: capabilities.name,
            models: capabilities.models,
            max_length: capabilities.maxLength,
            max_context_length: capabilities.maxContextLength,
            threads: capabilities.threads,
            nsfw: capabilities.nsfw,
            bridge_agent: capabilities.bridgeAgent,
            priority_usernames: [],
            softprompts: [],
            amount: 1,
          },
          POP_TIMEOUT_MS,
          signal,
        ),
      )
      if (!answer.success) throw new GridError('garbage', 'The grid sent a pop answer of an unknown shape.')
      const { id, ids, payload, model, ttl, skipped } = answer.data
      // "No job" is id == null with empty ids, whatever else is present (§4.3).
      const allIds = ids.length > 0 ? ids : id ? [id] : []
      if (allIds.length === 0) return { job: null, skipped: skipped ?? {} }
      const parsedPayload = hordePayloadSchema.safeParse(payload ?? {})
      return {
        job: {
          ids: allIds,
          model: model ?? capabilities.models[0] ?? 'unknown',
          payload: parsedPayload.success ? parsedPayload.data : null,
          ttlSeconds: ttl ?? 150,
        },
        skipped: {},
      }
    },

    /** Submits one id's result; returns the reward. */
    async submit(id: string, generation: string, state: 'ok' | 'faulted', signal?: AbortSignal): Promise<number> {
      const answer = await post('/generate/text/submit', { id, generation, state, seed: 0 }, SUBMIT_TIMEOUT_MS, signal)
      const parsed = submitSchema.safeParse(answer)
      return parsed.success ? parsed.data.reward : 0
    },
  }
}

/** A Horde REST client. */
export type HordeClient = ReturnType<typeof createHordeClient>
