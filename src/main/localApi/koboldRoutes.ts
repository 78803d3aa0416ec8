import type { IncomingMessage, ServerResponse } from 'node:http'
import { hordeJobToRequest, hordePayloadSchema } from '../../worker/params.js'
import type { LocalApiContext } from './context.js'
import { abortOnDisconnect, HttpError, readJson, sendJson, startSse } from './http.js'
import { modelId } from './openAiRoutes.js'

/** The KoboldCpp version whose API surface this mirrors; clients enable features by it. */
const KOBOLDCPP_COMPAT_VERSION = '1.80.0'

/**
 * KoboldAI-compatible endpoints as KoboldCpp serves them, so KoboldAI clients (SillyTavern, Kobold
 * Lite) connect unchanged. The request body is the same KoboldAI payload the Horde sends workers.
 */
export async function handleKobold(ctx: LocalApiContext, request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
  const model = ctx.engine.snapshot().model
  if (request.method === 'GET') {
    switch (path) {
      case '/api/v1/model':
        sendJson(response, 200, { result: model ? `koboldcpp/${modelId(model)}` : 'inactive' })
        return true
      case '/api/extra/version':
        sendJson(response, 200, { result: 'KoboldCpp', version: KOBOLDCPP_COMPAT_VERSION })
        return true
      case '/api/v1/info/version':
        sendJson(response, 200, { result: '1.2.5' })
        return true
      case '/api/v1/config/max_context_length':
        sendJson(response, 200, { value: model?.contextSize ?? 0 })
        return true
      case '/api/v1/config/max_length':
        sendJson(response, 200, { value: model ? Math.floor(model.contextSize / 2) : 0 })
        return true
    }
    return false
  }
  if (request.method !== 'POST' || (path !== '/api/v1/generate' && path !== '/api/extra/generate/stream')) return false

  const body = await readJson(request)
  const parsed = hordePayloadSchema.safeParse(body)
  if (!parsed.success || typeof (body as { prompt?: unknown }).prompt !== 'string') {
    throw new HttpError(400, 'The request needs a "prompt" string.', 'invalid_request_error', 'prompt')
  }
  if (!model) throw new HttpError(503, 'No model is loaded in GridForge; load one first.', 'server_error')
  const generate = hordeJobToRequest(
    { ...parsed.data, max_length: parsed.data.max_length ?? 100 },
    { maxLength: model.contextSize - 16, maxContextLength: model.contextSize },
  )
  const signal = abortOnDisconnect(request, response)
  const release = await ctx.queue.acquire(signal)
  const endLocalUse = ctx.beginLocalUse()
  try {
    if (path === '/api/v1/generate') {
      const result = await ctx.engine.generate(generate, { signal })
      sendJson(response, 200, { results: [{ text: result.text, finish_reason: result.finishReason === 'length' ? 'length' : 'stop' }] })
      return true
    }
    // KoboldCpp's SSE stream: one `message` event per piece of text.
    const sse = startSse(response)
    const result = await ctx.engine.generate(generate, { signal, onText: (token) => signal.aborted || sse.event('message', { token, finish_reason: null }) })
    if (!signal.aborted) sse.event('message', { token: '', finish_reason: result.finishReason === 'length' ? 'length' : 'stop' })
    sse.end()
    return true
  } finally {
    release()
    endLocalUse()
  }
}
