import { z } from 'zod'
import type { ChatTurn, GenerateRequest, ResponseFormat, SamplingParams, ToolChoice, ToolDefinition } from '../shared/generation.js'

/** What this worker advertises; jobs are clamped to it whatever they ask for. */
export interface WorkerLimits {
  maxLength: number
  maxContextLength: number
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value))
/** A number field that may be missing or garbage; garbage is ignored, not fatal. */
const num = z.number().finite().optional().catch(undefined)
const int = z.number().finite().transform(Math.trunc).optional().catch(undefined)

/** The AI Horde's text payload (§4.2). Unknown sampler keys pass through and are ignored. */
export const hordePayloadSchema = z.looseObject({
  prompt: z.string().catch(''),
  max_length: int,
  max_context_length: int,
  temperature: num,
  top_p: num,
  top_k: int,
  min_p: num,
  rep_pen: num,
  rep_pen_range: int,
  stop_sequence: z.array(z.string()).optional().catch(undefined),
  seed: int,
  sampler_seed: int,
})

/** Horde payload → a plain completion, with every value clamped to the Horde's ranges and our limits. */
export function hordeJobToRequest(payload: z.infer<typeof hordePayloadSchema>, limits: WorkerLimits): GenerateRequest {
  const maxTokens = clamp(payload.max_length ?? 80, 1, limits.maxLength)
  const context = clamp(payload.max_context_length ?? 2048, 1, limits.maxContextLength)
  const params: SamplingParams = {
    maxTokens,
    temperature: payload.temperature === undefined ? undefined : clamp(payload.temperature, 0, 5),
    topP: payload.top_p === undefined ? undefined : clamp(payload.top_p, 0.001, 1),
    // top_k 0 means "off" in KoboldAI terms.
    topK: payload.top_k === undefined || payload.top_k <= 0 ? undefined : clamp(payload.top_k, 1, 200),
    minP: payload.min_p === undefined || payload.min_p <= 0 ? undefined : clamp(payload.min_p, 0, 1),
    repeatPenalty: payload.rep_pen === undefined ? undefined : clamp(payload.rep_pen, 1, 3),
    repeatPenaltyRange: payload.rep_pen_range === undefined ? undefined : clamp(payload.rep_pen_range, 0, 4096),
    seed: payload.sampler_seed ?? payload.seed,
    stop: payload.stop_sequence?.filter((s) => s.length > 0).slice(0, 128),
    // The Horde documents that "the returned text WILL contain the stop sequence".
    stopInText: true,
  }
  return {
    kind: 'completion',
    prompt: payload.prompt,
    params,
    maxPromptTokens: Math.max(1, context - maxTokens),
  }
}

/** OpenAI's own limit on tools per request. */
export const MAX_TOOLS = 128
/** Stop strings beyond this many are ignored (OpenAI allows 4; the Horde 128). */
export const MAX_STOPS = 16
/** Longest tool description or schema text accepted: beyond it no local context could hold the tools. */
export const MAX_TOOL_TEXT = 100_000

const contentSchema = z.union([z.string(), z.array(z.looseObject({ type: z.string().optional(), text: z.string().optional() })), z.null()])

const toolCallSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string().optional() }),
})

const messageSchema = z.looseObject({
  role: z.string(),
  content: contentSchema.optional(),
  tool_calls: z.array(toolCallSchema).nullish(),
  tool_call_id: z.string().nullish(),
  name: z.string().nullish(),
  reasoning_content: z.string().nullish(),
})

const toolSchema = z.looseObject({
  type: z.string(),
  function: z.looseObject({
    name: z.string(),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
})

const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
])

const jsonSchemaFormatSchema = z.looseObject({
  type: z.literal('json_schema'),
  json_schema: z.looseObject({ name: z.string().optional(), schema: z.record(z.string(), z.unknown()), strict: z.boolean().nullish() }),
})
const responseFormatSchema = z.union([z.looseObject({ type: z.enum(['text', 'json_object']) }), jsonSchemaFormatSchema])

/** The OpenAI chat-completions body inside an AIPG job (§13.2, §16.3). Tool fields are checked when mapped. */
export const openAiRequestSchema = z.looseObject({
  messages: z.array(z.unknown()).catch([]),
  max_tokens: int,
  max_completion_tokens: int,
  temperature: num,
  top_p: num,
  stop: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .catch(undefined),
  seed: int,
  tools: z.unknown().optional(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.unknown().optional(),
  response_format: z.unknown().optional(),
})

/** Why an AIPG request cannot be run: the grid is told it was the request's fault (client_error). */
export class BadJobRequest extends Error {
  override name = 'BadJobRequest'
}

/**
 * AIPG job → a chat through the model's template, clamped to OpenAI's ranges and our limits. Throws
 * `BadJobRequest` with one sentence for what no model can serve: malformed tools, tool_choice or
 * response_format, a tool message without its call id, tool-call arguments that are not JSON. Only
 * text content parts are read (others, such as images, are ignored); unknown roles are dropped; stop
 * strings past the first 16 and empty ones are ignored.
 */
export function aipgJobToRequest(
  request: z.infer<typeof openAiRequestSchema>,
  fallbackMaxLength: number | undefined,
  limits: WorkerLimits,
): GenerateRequest {
  const turns = request.messages.flatMap((message, index) => turnOf(message, index))
  if (!turns.some((turn) => turn.role === 'user')) throw new BadJobRequest('The request has no user message.')
  const stop = typeof request.stop === 'string' ? [request.stop] : request.stop
  const tools = toolsOf(request.tools)
  const toolChoice = toolChoiceOf(request.tool_choice, tools)
  const responseFormat = responseFormatOf(request.response_format)
  if (
    request.parallel_tool_calls !== undefined &&
    request.parallel_tool_calls !== null &&
    typeof request.parallel_tool_calls !== 'boolean'
  ) {
    throw new BadJobRequest('parallel_tool_calls must be true or false.')
  }
  return {
    kind: 'chat',
    turns,
    params: {
      maxTokens: clamp(request.max_completion_tokens ?? request.max_tokens ?? fallbackMaxLength ?? 512, 1, limits.maxLength),
      temperature: request.temperature === undefined ? undefined : clamp(request.temperature, 0, 2),
      topP: request.top_p === undefined ? undefined : clamp(request.top_p, 0.001, 1),
      seed: request.seed,
      stop: stop?.filter((s) => s.length > 0).slice(0, MAX_STOPS),
    },
    ...(tools ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(typeof request.parallel_tool_calls === 'boolean' ? { parallelToolCalls: request.parallel_tool_calls } : {}),
    ...(responseFormat ? { responseFormat } : {}),
  }
}

function turnOf(raw: unknown, index: number): ChatTurn[] {
  const parsed = messageSchema.safeParse(raw)
  if (!parsed.success) throw new BadJobRequest(`Message ${index} is malformed: ${issueOf(parsed.error)}.`)
  const message = parsed.data
  const content = textOf(message.content)
  switch (message.role) {
    case 'system':
    case 'developer':
      return content ? [{ role: 'system', content }] : []
    case 'user':
      return content ? [{ role: 'user', content }] : []
    case 'assistant': {
      const toolCalls = (message.tool_calls ?? []).map((call, position) => {
        if (!call.id) throw new BadJobRequest(`Tool call ${position} of message ${index} has no id.`)
        const args = call.function.arguments ?? '{}'
        if (!isJson(args)) throw new BadJobRequest(`The arguments of tool call ${call.id} in message ${index} are not valid JSON.`)
        return { id: call.id, name: call.function.name, arguments: args }
      })
      if (!content && toolCalls.length === 0) return []
      return [
        {
          role: 'assistant',
          content,
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
          ...(message.reasoning_content ? { reasoning: message.reasoning_content } : {}),
        },
      ]
    }
    case 'tool':
      if (!message.tool_call_id) throw new BadJobRequest(`Message ${index} is a tool result without a tool_call_id.`)
      return [{ role: 'tool', content, toolCallId: message.tool_call_id, ...(message.name ? { name: message.name } : {}) }]
    default:
      return []
  }
}

function toolsOf(raw: unknown): ToolDefinition[] | undefined {
  if (raw === undefined || raw === null) return undefined
  const parsed = z.array(toolSchema).safeParse(raw)
  if (!parsed.success) throw new BadJobRequest(`tools is malformed: ${issueOf(parsed.error)}.`)
  if (parsed.data.length === 0) return undefined
  if (parsed.data.length > MAX_TOOLS)
    throw new BadJobRequest(`The request has ${parsed.data.length} tools; at most ${MAX_TOOLS} are supported.`)
  const names = new Set<string>()
  return parsed.data.map((tool, index) => {
    if (tool.type !== 'function')
      throw new BadJobRequest(`Tool ${index} has type ${JSON.stringify(tool.type)}; only "function" tools are supported.`)
    const { name, description, parameters, strict } = tool.function
    if (!/^[a-zA-Z0-9_.-]{1,64}$/.test(name))
      throw new BadJobRequest(`Tool ${index} has the name ${JSON.stringify(name.slice(0, 80))}; names are 1-64 letters, digits, _, . or -.`)
    if (names.has(name)) throw new BadJobRequest(`The tool ${name} is defined twice.`)
    names.add(name)
    if ((description?.length ?? 0) > MAX_TOOL_TEXT || (parameters ? JSON.stringify(parameters).length : 0) > MAX_TOOL_TEXT) {
      throw new BadJobRequest(`The tool ${name} is larger than ${MAX_TOOL_TEXT} characters.`)
    }
    return {
      name,
      ...(description ? { description } : {}),
      ...(parameters ? { parameters } : {}),
      ...(typeof strict === 'boolean' ? { strict } : {}),
    }
  })
}

function toolChoiceOf(raw: unknown, tools: ToolDefinition[] | undefined): ToolChoice | undefined {
  if (raw === undefined || raw === null) return undefined
  const parsed = toolChoiceSchema.safeParse(raw)
  if (!parsed.success)
    throw new BadJobRequest('tool_choice must be "auto", "none", "required" or {"type": "function", "function": {"name": ...}}.')
  const choice = parsed.data
  if (choice === 'auto' || choice === 'none') return choice
  const name = choice === 'required' ? null : choice.function.name
  if (!tools)
    throw new BadJobRequest(`tool_choice ${name ? `names ${JSON.stringify(name)}` : 'is "required"'} but the request has no tools.`)
  if (name === null) return 'required'
  if (!tools.some((tool) => tool.name === name))
    throw new BadJobRequest(`tool_choice names the function ${JSON.stringify(name)}, which is not among the tools.`)
  return { name }
}

function responseFormatOf(raw: unknown): ResponseFormat | undefined {
  if (raw === undefined || raw === null) return undefined
  const parsed = responseFormatSchema.safeParse(raw)
  if (!parsed.success)
    throw new BadJobRequest(
      'response_format must be {"type": "text"}, {"type": "json_object"} or {"type": "json_schema", "json_schema": {"schema": {...}}}.',
    )
  const format = parsed.data
  if (format.type === 'text') return undefined
  if (format.type === 'json_object') return { type: 'json_object' }
  const { name, schema, strict } = (format as z.infer<typeof jsonSchemaFormatSchema>).json_schema
  if (JSON.stringify(schema).length > MAX_TOOL_TEXT)
    throw new BadJobRequest(`The response_format schema is larger than ${MAX_TOOL_TEXT} characters.`)
  return { type: 'json_schema', schema, ...(name ? { name } : {}), ...(typeof strict === 'boolean' ? { strict } : {}) }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

function issueOf(error: z.ZodError): string {
  const issue = error.issues[0]
  const path = issue?.path.join('.')
  return `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`
}

function textOf(content: z.infer<typeof contentSchema> | undefined): string {
  if (typeof content === 'string') return content
  if (!content) return ''
  return content.map((part) => (part.type === undefined || part.type === 'text' ? (part.text ?? '') : '')).join('')
}
