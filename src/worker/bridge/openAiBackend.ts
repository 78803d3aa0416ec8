import { serverSentData } from '../../grid/serverSentData.js'
import type { GenerateRequest, GenerateResult } from '../../shared/generation.js'
import type { GenerationEngine } from '../ports.js'
import { readErrorBody } from '../../grid/errorAnswer.js'
import { BackendError } from './backendError.js'
import { backendUrl, callBackend, parseJsonAnswer, type BackendReply, type BackendTarget } from './backendHttp.js'
import type { BackendCapabilities } from './backendTypes.js'
import { openAiBody } from './openAiRequest.js'
import { createReplyAssembler, openAiChunkSchema, type OpenAiChunk } from './openAiStream.js'
import { checkRequestSupported } from './requestSupport.js'

type Handlers = Parameters<GenerationEngine['generate']>[1]

/** Servers send about one piece per token; this many pieces past the reply length is a stream that will not end. */
export const OVERRUN_CHUNKS = 64
export const OVERRUN = 'The inference server kept streaming past the reply length asked for; the reply was cut off.'

/** A failure of the server, reported to the health gate before the job hears it. */
export type OnBackendFailure = (error: BackendError) => void

/**
 * An OpenAI-compatible server (Ollama, vLLM, llama.cpp server, LM Studio, GridForge's own local API) as the
 * worker's engine: streamed chat and completions with tools, response_format, stop and reasoning passed through.
 */
export function openAiBackend(
  target: BackendTarget,
  capabilities: BackendCapabilities,
  onFailure: OnBackendFailure = () => undefined,
): GenerationEngine {
  return {
    async generate(request: GenerateRequest, handlers: Handlers): Promise<GenerateResult> {
      checkRequestSupported(request, capabilities)
      const started = target.clock.now()
      const { path, body } = openAiBody(request, target.config.model, capabilities.streaming)
      const assembler = createReplyAssembler()
      let text = ''
      let reasoning = ''
      let tokens = 0
      let firstTokenMs: number | null = null
      let finish: GenerateResult['finishReason'] | null = null
      const result = (finishReason: GenerateResult['finishReason']): GenerateResult => {
        const usage = assembler.usage()
        const toolCalls = assembler.toolCalls()
        return {
          text,
          ...(reasoning ? { reasoning } : {}),
          ...(toolCalls.length ? { toolCalls } : {}),
          finishReason,
          promptTokens: usage?.prompt_tokens ?? 0,
          completionTokens: usage?.completion_tokens ?? tokens,
          durationMs: target.clock.now() - started,
          firstTokenMs,
        }
      }
      const take = (chunk: OpenAiChunk) => {
        if (chunk.error !== undefined) {
          const said = readErrorBody(JSON.stringify({ error: chunk.error })).said
          throw new BackendError('server-error', `The inference server failed while writing the reply${said ? `: ${said}` : ''}.`)
        }
        const pieces = assembler.add(chunk)
        if (pieces.content || pieces.reasoning || pieces.toolCalls.length) {
          tokens++
          firstTokenMs ??= target.clock.now() - started
          if (tokens > request.params.maxTokens + OVERRUN_CHUNKS) throw new BackendError('garbage', OVERRUN)
        }
        if (pieces.reasoning) {
          reasoning += pieces.reasoning
          handlers.onReasoning?.(pieces.reasoning, tokens)
        }
        if (pieces.content) {
          text += pieces.content
          handlers.onText?.(pieces.content, tokens)
        }
        for (const delta of pieces.toolCalls) handlers.onToolCall?.(delta, tokens)
        if (pieces.finish) finish = pieces.finish
      }

      let reply: BackendReply
      try {
        reply = await callBackend(
          target,
          backendUrl(target.config, path),
          { method: 'POST', payload: body, accept: capabilities.streaming ? 'text/event-stream' : 'application/json' },
          handlers.signal,
        )
      } catch (error) {
        if (handlers.signal?.aborted) return result('abort')
        throw reported(error, onFailure)
      }
      try {
        if (!capabilities.streaming) {
          take(chunkOf(parseJsonAnswer(await new Response(reply.body).text(), reply.response)))
          return result(finish ?? 'stop')
        }
        const type = reply.response.headers.get('content-type') ?? ''
        if (/html/i.test(type))
          throw new BackendError('garbage', 'The inference server answered with a web page, not a reply stream; check --backend-url.')
        // A server that ignores stream: true answers the whole reply at once.
        if (/json/i.test(type)) {
          take(chunkOf(parseJsonAnswer(await new Response(reply.body).text(), reply.response)))
          return result(finish ?? 'stop')
        }
        let done = false
        for await (const data of serverSentData(reply.body)) {
          if (data === '[DONE]') {
            done = true
            break
          }
          take(chunkOf(parseJsonAnswer(data, reply.response)))
        }
        // A stream that ends without [DONE] or a finish reason was cut off: the reply may be incomplete.
        if (!done && finish === null) {
          if (handlers.signal?.aborted) return result('abort')
          throw new BackendError('dropped', 'The inference server closed the stream before the reply was finished.')
        }
        return result(finish ?? 'stop')
      } catch (error) {
        if (error instanceof BackendError) throw reported(error, onFailure)
        const failure = reply.failure(error)
        if (!failure) return result('abort')
        throw reported(failure, onFailure)
      } finally {
        reply.close()
      }
    },
  }
}

function chunkOf(json: unknown): OpenAiChunk {
  const parsed = openAiChunkSchema.safeParse(json)
  if (!parsed.success) throw new BackendError('garbage', 'The inference server sent a reply chunk that is not an OpenAI chunk.')
  return parsed.data
}

function reported(error: unknown, onFailure: OnBackendFailure): unknown {
  if (error instanceof BackendError) onFailure(error)
  return error
}
