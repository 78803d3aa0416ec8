import { z } from 'zod'
import { serverSentData } from '../../grid/serverSentData.js'
import type { GenerateRequest, GenerateResult } from '../../shared/generation.js'
import { BadJobRequest } from '../params.js'
import type { GenerationEngine } from '../ports.js'
import { BackendError } from './backendError.js'
import { backendUrl, callBackend, parseJsonAnswer, type BackendReply, type BackendTarget } from './backendHttp.js'
import type { BackendCapabilities } from './backendTypes.js'
import { OVERRUN, OVERRUN_CHUNKS, type OnBackendFailure } from './openAiBackend.js'

type Handlers = Parameters<GenerationEngine['generate']>[1]

const eventSchema = z.looseObject({ token: z.string().catch(''), finish_reason: z.string().nullish() })
const resultSchema = z.looseObject({ results: z.array(z.looseObject({ text: z.string(), finish_reason: z.string().nullish() })).min(1) })

/**
 * A KoboldAI server (KoboldCpp) as the worker's engine: the Horde's plain prompts, streamed through
 * `/api/extra/generate/stream` where the server has it, `/api/v1/generate` otherwise.
 */
export function koboldBackend(
  target: BackendTarget,
  capabilities: BackendCapabilities,
  onFailure: OnBackendFailure = () => undefined,
): GenerationEngine {
  return {
    async generate(request: GenerateRequest, handlers: Handlers): Promise<GenerateResult> {
      if (request.kind !== 'completion')
        throw new BadJobRequest('This worker serves plain prompts only (a KoboldAI server); chat requests are not supported.')
      const started = target.clock.now()
      const { params } = request
      const payload = Object.fromEntries(
        Object.entries({
          prompt: request.prompt,
          max_length: params.maxTokens,
          max_context_length: request.maxPromptTokens === undefined ? undefined : request.maxPromptTokens + params.maxTokens,
          temperature: params.temperature,
          top_p: params.topP,
          top_k: params.topK,
          min_p: params.minP,
          rep_pen: params.repeatPenalty,
          rep_pen_range: params.repeatPenaltyRange,
          stop_sequence: params.stop?.length ? params.stop : undefined,
          sampler_seed: params.seed,
        }).filter(([, value]) => value !== undefined),
      )
      let text = ''
      let tokens = 0
      let firstTokenMs: number | null = null
      let finish: GenerateResult['finishReason'] | null = null
      const result = (finishReason: GenerateResult['finishReason']): GenerateResult => ({
        text,
        finishReason,
        promptTokens: 0,
        completionTokens: tokens,
        durationMs: target.clock.now() - started,
        firstTokenMs,
      })
      const add = (piece: string) => {
        if (!piece) return
        text += piece
        tokens++
        firstTokenMs ??= target.clock.now() - started
        if (tokens > params.maxTokens + OVERRUN_CHUNKS) throw new BackendError('garbage', OVERRUN)
        handlers.onText?.(piece, tokens)
      }
      const path = capabilities.streaming ? '/api/extra/generate/stream' : '/api/v1/generate'
      let reply: BackendReply
      try {
        reply = await callBackend(
          target,
          backendUrl(target.config, path),
          { method: 'POST', payload, accept: capabilities.streaming ? 'text/event-stream' : 'application/json' },
          handlers.signal,
        )
      } catch (error) {
        if (handlers.signal?.aborted) return result('abort')
        if (error instanceof BackendError) onFailure(error)
        throw error
      }
      try {
        if (!capabilities.streaming) {
          const parsed = resultSchema.safeParse(parseJsonAnswer(await new Response(reply.body).text(), reply.response))
          if (!parsed.success) throw new BackendError('garbage', 'The KoboldAI server sent an answer without results.')
          add(parsed.data.results[0]!.text)
          return result(parsed.data.results[0]!.finish_reason === 'length' ? 'length' : 'stop')
        }
        for await (const data of serverSentData(reply.body)) {
          const event = eventSchema.safeParse(parseJsonAnswer(data, reply.response))
          if (!event.success) throw new BackendError('garbage', 'The KoboldAI server sent a stream event GridForge cannot read.')
          add(event.data.token)
          if (event.data.finish_reason) finish = event.data.finish_reason === 'length' ? 'length' : 'stop'
        }
        if (finish === null) {
          if (handlers.signal?.aborted) return result('abort')
          throw new BackendError('dropped', 'The KoboldAI server closed the stream before the reply was finished.')
        }
        return result(finish)
      } catch (error) {
        const failure = error instanceof BackendError ? error : reply.failure(error)
        if (!failure) return result('abort')
        onFailure(failure)
        throw failure
      } finally {
        reply.close()
      }
    },
  }
}
