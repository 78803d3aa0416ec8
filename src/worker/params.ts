import { z } from 'zod'
import type { ChatTurn, GenerateRequest, SamplingParams } from '../shared/generation.js'

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

const contentSchema = z.union([
  z.string(),
  z.array(z.looseObject({ type: z.string().optional(), text: z.string().optional() })),
  z.null(),
])

/** The OpenAI chat-completions body inside an AIPG job (§13.2). */
export const openAiRequestSchema = z.looseObject({
  messages: z.array(z.looseObject({ role: z.string(), content: contentSchema.optional() })).catch([]),
  max_tokens: int,
  max_completion_tokens: int,
  temperature: num,
  top_p: num,
  stop: z.union([z.string(), z.array(z.string())]).optional().catch(undefined),
  seed: int,
})

/** Why an AIPG request cannot be run: the grid is told it was the request's fault (client_error). */
export class BadJobRequest extends Error {
  override name = 'BadJobRequest'
}

/** AIPG job → a chat through the model's template, clamped to OpenAI's ranges and our limits. */
export function aipgJobToRequest(
  request: z.infer<typeof openAiRequestSchema>,
  fallbackMaxLength: number | undefined,
  limits: WorkerLimits,
): GenerateRequest {
  const turns: ChatTurn[] = request.messages.flatMap((message) => {
    const role = message.role === 'assistant' ? 'assistant' : message.role === 'system' || message.role === 'developer' ? 'system' : message.role === 'user' ? 'user' : null
    const content = textOf(message.content)
    return role && content ? [{ role, content }] : []
  })
  if (!turns.some((turn) => turn.role === 'user')) throw new BadJobRequest('The request has no user message.')
  const stop = typeof request.stop === 'string' ? [request.stop] : request.stop
  return {
    kind: 'chat',
    turns,
    params: {
      maxTokens: clamp(request.max_completion_tokens ?? request.max_tokens ?? fallbackMaxLength ?? 512, 1, limits.maxLength),
      temperature: request.temperature === undefined ? undefined : clamp(request.temperature, 0, 2),
      topP: request.top_p === undefined ? undefined : clamp(request.top_p, 0.001, 1),
      seed: request.seed,
      stop: stop?.filter((s) => s.length > 0).slice(0, 4),
    },
  }
}

function textOf(content: z.infer<typeof contentSchema> | undefined): string {
  if (typeof content === 'string') return content
  if (!content) return ''
  return content.map((part) => (part.type === undefined || part.type === 'text' ? (part.text ?? '') : '')).join('')
}
