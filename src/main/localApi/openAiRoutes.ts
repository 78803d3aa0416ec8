import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import type { LoadedModel } from '../../shared/domain.js'
import type { GenerateRequest, GenerateResult } from '../../shared/generation.js'
import { aipgJobToRequest, BadJobRequest, openAiRequestSchema } from '../../worker/params.js'
import { AppError } from '../../shared/result.js'
import type { GenerateHandlers } from '../engine/engine.js'
import type { LocalApiContext, ServedModel } from './context.js'
import { abortOnDisconnect, HttpError, readJson, sendJson, startSse } from './http.js'

const maxTokens = z.number().int().positive()
const chatSchema = z.looseObject({
  model: z.string().max(256).optional(),
  messages: z.array(z.looseObject({ role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']), content: z.unknown() })).min(1),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: maxTokens.nullish(),
  max_completion_tokens: maxTokens.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.literal(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
})
const completionSchema = z.looseObject({
  model: z.string().max(256).optional(),
  prompt: z.union([z.string(), z.array(z.string()).length(1)]),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: maxTokens.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.literal(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
})

/** The model id this server answers to: the file name without `.gguf`. */
export const modelId = (model: LoadedModel) => model.fileName.replace(/\.gguf$/i, '')

/** What a request runs on: the loaded model, or the model the user's own server serves (bridge mode). */
interface Target {
  id: string
  /** The context it holds; null when its server does not say (the server then checks the request itself). */
  contextSize: number | null
  generate: (request: GenerateRequest, handlers: GenerateHandlers) => Promise<GenerateResult>
  /** The loaded model: its requests share the queue and pause the miner. */
  local: boolean
}

/** What a bridged model's request may ask when its server does not say its context: the completion default. */
const SERVED_DEFAULT_MAX_TOKENS = 512

/** OpenAI-compatible endpoints: /v1/models, /v1/chat/completions, /v1/completions. */
export async function handleOpenAi(
  ctx: LocalApiContext,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<boolean> {
  if (request.method === 'GET' && path === '/v1/models') {
    const model = ctx.engine.snapshot().model
    const served = ctx.served?.()
    const created = Math.floor(Date.now() / 1000)
    const data = [
      ...(model ? [{ id: modelId(model), object: 'model', created, owned_by: 'gridforge' }] : []),
      ...(served && served.id !== (model && modelId(model)) ? [{ id: served.id, object: 'model', created, owned_by: 'your-server' }] : []),
    ]
    sendJson(response, 200, { object: 'list', data })
    return true
  }
  if (request.method === 'POST' && path === '/v1/chat/completions') {
    const body = parse(chatSchema, await readJson(request))
    const model = requireTarget(ctx, body.model)
    const asked = body.max_completion_tokens ?? body.max_tokens ?? null
    checkMaxTokens(asked, model)
    let generate: GenerateRequest
    try {
      generate = aipgJobToRequest(openAiRequestSchema.parse(body), undefined, {
        maxLength: asked ?? defaultMaxTokens(model),
        maxContextLength: model.contextSize ?? asked ?? SERVED_DEFAULT_MAX_TOKENS,
      })
    } catch (error) {
      if (error instanceof BadJobRequest) throw new HttpError(400, error.message, 'invalid_request_error')
      throw error
    }
    await run(ctx, request, response, generate, model, 'chat', body.stream === true, body.stream_options?.include_usage === true)
    return true
  }
  if (request.method === 'POST' && path === '/v1/completions') {
    const body = parse(completionSchema, await readJson(request))
    const model = requireTarget(ctx, body.model)
    checkMaxTokens(body.max_tokens ?? null, model)
    const prompt = typeof body.prompt === 'string' ? body.prompt : body.prompt[0]!
    const stop = typeof body.stop === 'string' ? [body.stop] : (body.stop ?? undefined)
    const generate: GenerateRequest = {
      kind: 'completion',
      prompt,
      // OpenAI's documented default for completions.
      params: {
        maxTokens: body.max_tokens ?? 16,
        temperature: body.temperature ?? undefined,
        topP: body.top_p ?? undefined,
        seed: body.seed ?? undefined,
        stop,
      },
    }
    await run(ctx, request, response, generate, model, 'completion', body.stream === true, body.stream_options?.include_usage === true)
    return true
  }
  return false
}

async function run(
  ctx: LocalApiContext,
  request: IncomingMessage,
  response: ServerResponse,
  generate: GenerateRequest,
  model: Target,
  kind: 'chat' | 'completion',
  stream: boolean,
  includeUsage: boolean,
): Promise<void> {
  const signal = abortOnDisconnect(request, response)
  const release = model.local ? await ctx.queue.acquire(signal) : () => undefined
  const endLocalUse = model.local ? ctx.beginLocalUse() : () => undefined
  const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID().replaceAll('-', '')}`
  const created = Math.floor(Date.now() / 1000)
  const object = kind === 'chat' ? 'chat.completion' : 'text_completion'
  const chunkObject = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion'
  const base = { id, created, model: model.id }
  try {
    if (!stream) {
      const result = await generateOrReject(model, generate, { signal })
      sendJson(response, 200, { ...base, object, choices: [choice(kind, result)], usage: usage(result) })
      return
    }
    // The stream opens with the first output, so a request the engine refuses still gets its 400.
    let sse: ReturnType<typeof startSse> | null = null
    const open = () => {
      if (sse) return sse
      sse = startSse(response)
      if (kind === 'chat')
        sse.data({ ...base, object: chunkObject, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })
      return sse
    }
    const chunk = (delta: Record<string, unknown> | null, finish: string | null) =>
      signal.aborted ||
      open().data({
        ...base,
        object: chunkObject,
        choices: [
          kind === 'chat'
            ? { index: 0, delta: delta ?? {}, finish_reason: finish }
            : { index: 0, text: (delta?.content as string | undefined) ?? '', finish_reason: finish, logprobs: null },
        ],
      })
    // OpenAI names a call (id, type, name) on its first chunk only; the rest carry its index and arguments.
    const named = new Set<number>()
    const result = await generateOrReject(model, generate, {
      signal,
      onText: (text) => chunk({ content: text }, null),
      onReasoning: (text) => chunk({ reasoning_content: text }, null),
      onToolCall: (delta) => {
        const first = !named.has(delta.index)
        named.add(delta.index)
        const call = first
          ? { index: delta.index, id: delta.id, type: 'function', function: { name: delta.name, arguments: delta.argumentsText } }
          : { index: delta.index, function: { arguments: delta.argumentsText } }
        chunk({ tool_calls: [call] }, null)
      },
    })
    chunk(null, finishReason(result))
    const events = open()
    if (includeUsage) events.data({ ...base, object: chunkObject, choices: [], usage: usage(result) })
    events.data('[DONE]')
    events.end()
  } finally {
    release()
    endLocalUse()
  }
}

/**
 * Generates; a request the model cannot serve (the engine's BAD_REQUEST) is the client's 400, and the user's
 * own server failing is a 502 with that server's sentence.
 */
async function generateOrReject(model: Target, generate: GenerateRequest, handlers: GenerateHandlers): Promise<GenerateResult> {
  try {
    return await model.generate(generate, handlers)
  } catch (error) {
    if (error instanceof AppError && error.code === 'BAD_REQUEST') throw new HttpError(400, error.message, 'invalid_request_error')
    if (error instanceof AppError && !model.local) throw new HttpError(502, error.message, 'server_error')
    throw error
  }
}

function choice(kind: 'chat' | 'completion', result: GenerateResult) {
  if (kind === 'completion') return { index: 0, text: result.text, finish_reason: finishReason(result), logprobs: null }
  const toolCalls = result.toolCalls ?? []
  const message = {
    role: 'assistant',
    content: toolCalls.length > 0 && result.text === '' ? null : result.text,
    ...(result.reasoning ? { reasoning_content: result.reasoning } : {}),
    ...(toolCalls.length > 0
      ? {
          tool_calls: toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: call.arguments },
          })),
        }
      : {}),
  }
  return { index: 0, message, finish_reason: finishReason(result), logprobs: null }
}

const finishReason = (result: GenerateResult) =>
  result.finishReason === 'length' ? 'length' : result.finishReason === 'tool-calls' ? 'tool_calls' : 'stop'

const usage = (result: GenerateResult) => ({
  prompt_tokens: result.promptTokens,
  completion_tokens: result.completionTokens,
  total_tokens: result.promptTokens + result.completionTokens,
})

function defaultMaxTokens(model: Target): number {
  return model.contextSize === null ? SERVED_DEFAULT_MAX_TOKENS : Math.max(16, Math.floor(model.contextSize / 2))
}

function checkMaxTokens(asked: number | null, model: Target): void {
  if (asked !== null && model.contextSize !== null && asked >= model.contextSize) {
    throw new HttpError(
      400,
      `max_tokens (${asked}) must be smaller than the model's context of ${model.contextSize} tokens.`,
      'invalid_request_error',
      'max_tokens',
    )
  }
}

/** The loaded model, or the bridged one when the request names it (the loaded one wins a tie of names). */
function requireTarget(ctx: LocalApiContext, asked: string | undefined): Target {
  const model = ctx.engine.snapshot().model
  const served = ctx.served?.()
  const local = model !== null && (!asked || asked === modelId(model) || asked === model.fileName)
  if (served && !local && (asked === served.id || (!asked && !model))) return servedTarget(served)
  if (served && !model) {
    throw new HttpError(404, `The model "${asked}" does not exist; this server runs "${served.id}".`, 'invalid_request_error', 'model')
  }
  const loaded = requireModel(ctx, asked)
  return {
    id: modelId(loaded),
    contextSize: loaded.contextSize,
    generate: (request, handlers) => ctx.engine.generate(request, handlers),
    local: true,
  }
}

function servedTarget(served: ServedModel): Target {
  return { id: served.id, contextSize: null, generate: (request, handlers) => served.generate(request, handlers), local: false }
}

function requireModel(ctx: LocalApiContext, asked: string | undefined): LoadedModel {
  const model = ctx.engine.snapshot().model
  if (!model) throw new HttpError(503, 'No model is loaded in GridForge; load one first.', 'server_error')
  if (asked && asked !== modelId(model) && asked !== model.fileName) {
    throw new HttpError(404, `The model "${asked}" does not exist; this server runs "${modelId(model)}".`, 'invalid_request_error', 'model')
  }
  return model
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const param = issue?.path.join('.') || null
  throw new HttpError(400, `Invalid request: ${param ? `${param}: ` : ''}${issue?.message ?? 'malformed'}.`, 'invalid_request_error', param)
}
