import { z } from 'zod'
import { gridHeaders } from '../../../grid/gridAuth.js'
import { apiUrl } from '../../../grid/gridUrls.js'
import { serverSentData } from '../../../grid/serverSentData.js'
import type { GenerateRequest, GenerateResult } from '../../../shared/generation.js'
import type { GridModel } from '../../../shared/gridChat.js'
import { AppError } from '../../../shared/result.js'
import type { ReplyHandlers, ReplySource } from '../replySource.js'
import type { GridEndpoint } from './gridEndpoint.js'
import { chatHttpError, isAbort, unreachable } from './gridErrors.js'
import { gridOriginOf } from './gridOrigin.js'
import { recentTurns } from './recentTurns.js'

export { serverSentData }

const chunkSchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        delta: z.looseObject({ content: z.string().nullish(), reasoning_content: z.string().nullish() }).optional(),
        finish_reason: z.string().nullish(),
      }),
    )
    .optional(),
  usage: z.looseObject({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() }).nullish(),
  error: z.looseObject({ message: z.string().optional() }).optional(),
})

const modelsSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.string() })) })
/** About 12,000 tokens of the latest conversation: more than most grid models' context. */
const MAX_CONTEXT_CHARS = 48_000

/** Text models the AIPG grid can serve now (`GET /v1/models`, OpenAI's list plus a virtual `auto`). */
export async function aipgModels(endpoint: GridEndpoint): Promise<GridModel[]> {
  const fetcher = endpoint.fetch ?? fetch
  const response = await fetcher(apiUrl('aipg', endpoint.baseUrl, '/models'), { headers: gridHeaders('aipg', endpoint) }).catch(() => {
    throw unreachable('aipg', endpoint.baseUrl)
  })
  if (!response.ok) throw await chatHttpError('aipg', response, null)
  const parsed = modelsSchema.safeParse(await response.json().catch(() => null))
  if (!parsed.success) throw new AppError('INTERNAL', 'The AIPG grid sent a model list GridForge cannot read.')
  return parsed.data.data.map((model) => ({ id: model.id, workers: null }))
}

/**
 * Chat through the AIPG grid: OpenAI `POST /v1/chat/completions` with `stream: true`. Community workers
 * write the reply; its tokens arrive as server-sent events. Stopping closes the stream, which cancels the job.
 */
export function aipgChat(endpoint: GridEndpoint, model: string): ReplySource {
  return {
    author: () => ({ backend: 'aipg', model, gridOrigin: gridOriginOf(endpoint.baseUrl) }),
    async generate(request: GenerateRequest, handlers: ReplyHandlers): Promise<GenerateResult> {
      if (!endpoint.apiKey) throw new AppError('BAD_REQUEST', 'Add your AIPG API key in Earn to chat through the AIPG grid.')
      const started = Date.now()
      const messages = request.kind === 'chat' ? recentTurns(request.turns, MAX_CONTEXT_CHARS) : [{ role: 'user', content: request.prompt }]
      const { params } = request
      const body = {
        model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: params.maxTokens,
        temperature: params.temperature,
        top_p: params.topP,
        stop: params.stop,
        seed: params.seed,
      }
      let text = ''
      let reasoning = ''
      let tokens = 0
      let firstTokenMs: number | null = null
      let finishReason: GenerateResult['finishReason'] = 'stop'
      let usage: { prompt_tokens?: number; completion_tokens?: number } | null | undefined
      const result = (): GenerateResult => ({
        text,
        ...(reasoning ? { reasoning } : {}),
        finishReason,
        promptTokens: usage?.prompt_tokens ?? 0,
        completionTokens: usage?.completion_tokens ?? tokens,
        durationMs: Date.now() - started,
        firstTokenMs,
      })
      try {
        const response = await (endpoint.fetch ?? fetch)(apiUrl('aipg', endpoint.baseUrl, '/chat/completions'), {
          method: 'POST',
          headers: gridHeaders('aipg', endpoint, { json: true, accept: 'text/event-stream' }),
          body: JSON.stringify(body),
          signal: handlers.signal,
        }).catch((error: unknown) => {
          throw isAbort(error) ? error : unreachable('aipg', endpoint.baseUrl)
        })
        if (!response.ok) throw await chatHttpError('aipg', response, model)
        if (!response.body) throw new AppError('INTERNAL', 'The AIPG grid answered without a reply stream.')
        for await (const data of serverSentData(response.body)) {
          if (data === '[DONE]') break
          const chunk = chunkSchema.safeParse(safeJson(data))
          if (!chunk.success) continue
          if (chunk.data.error) {
            throw new AppError(
              'INTERNAL',
              `The grid worker failed while writing the reply${chunk.data.error.message ? `: ${chunk.data.error.message}` : ''}.`,
            )
          }
          if (chunk.data.usage) usage = chunk.data.usage
          const choice = chunk.data.choices?.[0]
          const thought = choice?.delta?.reasoning_content
          if (thought) {
            reasoning += thought
            tokens += 1
            firstTokenMs ??= Date.now() - started
            handlers.onReasoning?.(thought, tokens)
          }
          const delta = choice?.delta?.content
          if (delta) {
            text += delta
            tokens += 1
            firstTokenMs ??= Date.now() - started
            handlers.onText?.(delta, tokens)
          }
          if (choice?.finish_reason) finishReason = choice.finish_reason === 'length' ? 'length' : 'stop'
        }
        return result()
      } catch (error) {
        if (isAbort(error) || handlers.signal?.aborted) {
          finishReason = 'abort'
          return result()
        }
        throw error
      }
    },
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
