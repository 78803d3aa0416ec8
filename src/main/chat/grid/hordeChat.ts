import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { gridHeaders } from '../../../grid/gridAuth.js'
import { apiUrl } from '../../../grid/gridUrls.js'
import type { GenerateRequest, GenerateResult } from '../../../shared/generation.js'
import type { GridModel } from '../../../shared/gridChat.js'
import { AppError } from '../../../shared/result.js'
import type { ReplyHandlers, ReplySource } from '../replySource.js'
import type { GridEndpoint } from './gridEndpoint.js'
import { chatHttpError, isAbort, noWorkers, unreachable } from './gridErrors.js'
import { gridOriginOf } from './gridOrigin.js'
import { formatPrompt, templateFamily, trimAtStop } from './promptTemplates.js'
import { recentTurns } from './recentTurns.js'

/** Longer replies need kudos up front on the Horde (grid-protocol.md §8.1), so chat stays below. */
const MAX_REPLY_TOKENS = 512
/** What most text workers on the Horde accept (koboldcpp's default). */
const MAX_CONTEXT_TOKENS = 4096
/** A rough average, to keep the prompt near what a worker's context holds. */
const CHARS_PER_TOKEN = 4
/** A request lives 20 minutes on the Horde; waiting longer is pointless. */
/** Server errors in a row while polling before the request is given up (and deleted). */
const MAX_TRANSIENT_FAILURES = 3
const GIVE_UP_MS = 20 * 60_000

const asyncSchema = z.looseObject({ id: z.string().min(1), message: z.string().nullish() })
const statusSchema = z.looseObject({
  done: z.boolean(),
  faulted: z.boolean().default(false),
  is_possible: z.boolean().default(true),
  processing: z.number().default(0),
  queue_position: z.number().nullish(),
  wait_time: z.number().nullish(),
  generations: z.array(z.looseObject({ text: z.string().default('') })).default([]),
})
const modelsSchema = z.array(z.looseObject({ name: z.string(), count: z.number().default(0) }))

/** Options that tests shorten. */
export interface HordeChatOptions {
  /** Time between status checks; the Horde allows 60 a minute per request. Default 2000 ms. */
  pollMs?: number
}

async function request(endpoint: GridEndpoint, path: string, init: RequestInit = {}): Promise<Response> {
  return (endpoint.fetch ?? fetch)(apiUrl('horde', endpoint.baseUrl, path), {
    ...init,
    headers: gridHeaders('horde', endpoint, { json: true }),
  }).catch((error: unknown) => {
    throw isAbort(error) ? error : unreachable('horde', endpoint.baseUrl)
  })
}

/** Text models with workers online on the AI Horde, the busiest first. */
export async function hordeModels(endpoint: GridEndpoint): Promise<GridModel[]> {
  const response = await request(endpoint, '/status/models?type=text')
  if (!response.ok) throw await chatHttpError('horde', response, null)
  const parsed = modelsSchema.safeParse(await response.json().catch(() => null))
  if (!parsed.success) throw new AppError('INTERNAL', 'The AI Horde sent a model list GridForge cannot read.')
  return parsed.data
    .filter((model) => model.count > 0)
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    .map((model) => ({ id: model.name, workers: model.count }))
}

/**
 * Chat through the AI Horde: the conversation is written out with the model's template family, queued with
 * `generate/text/async`, then `status/{id}` is polled, its queue position and wait reported as progress.
 * The Horde does not stream, so the reply arrives whole. Stopping deletes the request.
 */
export function hordeChat(endpoint: GridEndpoint, model: string, options: HordeChatOptions = {}): ReplySource {
  const pollMs = options.pollMs ?? 2000
  return {
    author: () => ({ backend: 'horde', model, gridOrigin: gridOriginOf(endpoint.baseUrl) }),
    async generate(generate: GenerateRequest, handlers: ReplyHandlers): Promise<GenerateResult> {
      const started = Date.now()
      const formatted =
        generate.kind === 'chat'
          ? formatPrompt(templateFamily(model), recentTurns(generate.turns, MAX_CONTEXT_TOKENS * CHARS_PER_TOKEN))
          : { prompt: generate.prompt, stop: [] }
      const { params } = generate
      const stop = [...formatted.stop, ...(params.stop ?? [])]
      const body = {
        prompt: formatted.prompt,
        models: [model],
        params: {
          n: 1,
          max_length: Math.min(params.maxTokens, MAX_REPLY_TOKENS),
          max_context_length: MAX_CONTEXT_TOKENS,
          temperature: params.temperature,
          top_p: params.topP,
          top_k: params.topK,
          min_p: params.minP,
          rep_pen: params.repeatPenalty,
          stop_sequence: stop,
        },
      }
      const aborted = (): GenerateResult => ({
        text: '',
        finishReason: 'abort',
        promptTokens: 0,
        completionTokens: 0,
        durationMs: Date.now() - started,
        firstTokenMs: null,
      })
      if (handlers.signal?.aborted) return aborted()

      const queued = await request(endpoint, '/generate/text/async', { method: 'POST', body: JSON.stringify(body) })
      if (!queued.ok) throw await chatHttpError('horde', queued, model)
      const accepted = asyncSchema.safeParse(await queued.json().catch(() => null))
      if (!accepted.success) throw new AppError('INTERNAL', 'The AI Horde accepted the request but sent no id for it.')
      const id = encodeURIComponent(accepted.data.id)
      const cancel = () => request(endpoint, `/generate/text/status/${id}`, { method: 'DELETE' }).catch(() => undefined)
      if (/no available workers/i.test(accepted.data.message ?? '')) {
        await cancel()
        throw noWorkers('horde', model)
      }

      let transientFailures = 0
      try {
        for (;;) {
          if (Date.now() - started > GIVE_UP_MS) {
            await cancel()
            throw new AppError('BUSY', 'No AI Horde worker took this request in 20 minutes; try another model or try again later.')
          }
          const response = await request(endpoint, `/generate/text/status/${id}`, { signal: handlers.signal })
          if (response.status === 429) {
            await sleep(pollMs * 2, undefined, { signal: handlers.signal })
            continue
          }
          if (response.status === 404)
            throw new AppError('NOT_FOUND', 'The AI Horde dropped this request (it expired); send the message again.')
          // A passing server error is not the end of a queued request: ask again a few times.
          if (response.status >= 500 && transientFailures < MAX_TRANSIENT_FAILURES) {
            transientFailures++
            await sleep(pollMs * 2, undefined, { signal: handlers.signal })
            continue
          }
          if (!response.ok) throw await chatHttpError('horde', response, model)
          transientFailures = 0
          const parsed = statusSchema.safeParse(await response.json().catch(() => null))
          if (!parsed.success) throw new AppError('INTERNAL', 'The AI Horde sent a status GridForge cannot read.')
          const status = parsed.data
          if (status.faulted) throw new AppError('INTERNAL', 'The AI Horde worker failed to write this reply; send the message again.')
          if (status.done) {
            const text = trimAtStop(status.generations[0]?.text ?? '', stop)
            if (text) handlers.onText?.(text, 1)
            return {
              text,
              finishReason: 'stop',
              promptTokens: 0,
              completionTokens: 0,
              durationMs: Date.now() - started,
              firstTokenMs: Date.now() - started,
            }
          }
          if (!status.is_possible) {
            await cancel()
            throw noWorkers('horde', model)
          }
          handlers.onProgress?.({
            stage: status.processing > 0 ? 'processing' : 'queued',
            queuePosition: status.queue_position ?? null,
            waitSeconds: status.wait_time ?? null,
          })
          await sleep(pollMs, undefined, { signal: handlers.signal })
        }
      } catch (error) {
        if (isAbort(error) || handlers.signal?.aborted) {
          await cancel()
          return aborted()
        }
        // Whatever went wrong here, the request must not stay queued on the Horde spending kudos.
        if (!(error instanceof AppError && error.code === 'NOT_FOUND')) await cancel()
        throw error
      }
    },
  }
}
