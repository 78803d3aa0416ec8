import { serverSentData } from '../../grid/serverSentData.js'
import { BackendError } from './backendError.js'
import { backendUrl, callBackend, type BackendTarget } from './backendHttp.js'
import { checkServing, openAiModels } from './backendServing.js'
import type { BackendCapabilities } from './backendTypes.js'
import { reportedContext } from './contextLength.js'

const HELLO = [{ role: 'user', content: 'Say hi.' }]
const PROBE_TOOL = {
  type: 'function',
  function: { name: 'get_time', description: 'The current time.', parameters: { type: 'object', properties: {} } },
}
const PROBE_SCHEMA = {
  type: 'json_schema',
  json_schema: { name: 'probe', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } },
}

/**
 * Tries the model the way jobs will use it, with one- or two-token requests: a streamed reply, a request
 * with a tool, one with a JSON schema, and the context the server reports. Throws the `BackendError` that
 * stops the worker from starting when the server or its model cannot serve at all.
 */
export async function probeCapabilities(target: BackendTarget): Promise<BackendCapabilities> {
  await checkServing(target)
  const kind = target.config.kind
  const models = kind === 'openai' ? await openAiModels(target) : null
  const context = await reportedContext(target, models)
  const base = { contextLength: context?.tokens ?? null, contextSource: context?.source ?? null }
  if (kind === 'kobold') {
    const streaming = await streams(target, '/api/extra/generate/stream', { prompt: 'Hi', max_length: 1 })
    return { ...base, streaming, tools: false, responseFormat: false }
  }
  const body = { model: target.config.model, messages: HELLO, max_tokens: 2 }
  const streaming = await streams(target, '/chat/completions', { ...body, stream: true })
  const tools = await accepted(target, { ...body, tools: [PROBE_TOOL] })
  const responseFormat = await accepted(target, { ...body, response_format: PROBE_SCHEMA })
  return { ...base, streaming, tools, responseFormat }
}

/** Whether the server streams SSE that ends properly; a server that answers the request at all but not as a stream is a non-streaming one. */
async function streams(target: BackendTarget, path: string, payload: unknown): Promise<boolean> {
  const reply = await probeCall(target, path, payload, 'text/event-stream')
  if (!reply) return false
  try {
    if (!/event-stream/i.test(reply.response.headers.get('content-type') ?? '')) return false
    let events = 0
    for await (const data of serverSentData(reply.body)) {
      if (data !== '[DONE]') JSON.parse(data)
      events++
    }
    return events > 0
  } catch {
    return false
  } finally {
    reply.close()
  }
}

/** Whether the server takes the request (2xx with a readable answer); a refusal says the feature is missing. */
async function accepted(target: BackendTarget, payload: unknown): Promise<boolean> {
  const reply = await probeCall(target, '/chat/completions', payload, 'application/json')
  if (!reply) return false
  try {
    const answer = (await new Response(reply.body).json()) as { choices?: unknown }
    return Array.isArray(answer.choices)
  } catch {
    return false
  } finally {
    reply.close()
  }
}

/** The request with the probe timeout; null when the server refused it as a request (a 4xx, a 5xx on an unknown field). */
async function probeCall(target: BackendTarget, path: string, payload: unknown, accept: string) {
  const probe = { ...target, timeouts: { ...target.timeouts, firstByteMs: target.timeouts.probeMs, idleMs: target.timeouts.probeMs } }
  try {
    return await callBackend(probe, backendUrl(target.config, path), { method: 'POST', payload, accept })
  } catch (error) {
    // A server that cannot be reached or refuses the key now would fail every job: that is not a missing feature.
    if (error instanceof BackendError && ['unreachable', 'key-refused', 'timeout'].includes(error.failure)) throw error
    return null
  }
}
