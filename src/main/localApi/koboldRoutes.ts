import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import { hordeJobToRequest } from '../../worker/params.js'
import type { LocalApiContext } from './context.js'
import { abortOnDisconnect, HttpError, readJson, sendJson, startSse } from './http.js'
import { modelId } from './openAiRoutes.js'

/** The KoboldCpp version whose API surface this mirrors; clients enable features by it. */
const KOBOLDCPP_COMPAT_VERSION = '1.80.0'

const count = z.number().int().min(0).max(1_000_000).optional()
const unit = z.number().min(0).max(1).optional()

/**
 * A local client's KoboldAI body, checked strictly: unlike a grid job (where garbage falls back to the
 * defaults so the worker still answers), a wrong value here is the caller's bug, and a 400 that names it
 * beats a reply generated with settings nobody asked for. Unknown sampler keys pass and are ignored.
 */
const koboldRequestSchema = z.looseObject({
  prompt: z.string({ error: 'The request needs a "prompt" string.' }),
  max_length: z.number().int().min(1).max(1_000_000).optional(),
  max_context_length: z.number().int().min(1).max(10_000_000).optional(),
  temperature: z.number().min(0).max(100).optional(),
  top_p: unit,
  top_k: count,
  min_p: unit,
  rep_pen: z.number().min(0).max(100).optional(),
  rep_pen_range: count,
  stop_sequence: z.array(z.string()).max(1024).optional(),
  seed: z.number().int().optional(),
  sampler_seed: z.number().int().optional(),
})

/**
 * KoboldAI-compatible endpoints as KoboldCpp serves them, so KoboldAI clients (SillyTavern, Kobold
 * Lite) connect unchanged. The request body is the same KoboldAI payload the Horde sends workers.
 */
export async function handleKobold(
  ctx: LocalApiContext,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<boolean> {
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

  const parsed = koboldRequestSchema.safeParse(await readJson(request))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const param = String(issue?.path[0] ?? 'prompt')
    const message =
      param === 'prompt' ? 'The request needs a "prompt" string.' : `"${param}" is not valid: ${issue?.message ?? 'wrong value'}.`
    throw new HttpError(400, message, 'invalid_request_error', param)
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
    const result = await ctx.engine.generate(generate, {
      signal,
      onText: (token) => signal.aborted || sse.event('message', { token, finish_reason: null }),
    })
    if (!signal.aborted) sse.event('message', { token: '', finish_reason: result.finishReason === 'length' ? 'length' : 'stop' })
    sse.end()
    return true
  } finally {
    release()
    endLocalUse()
  }
}
