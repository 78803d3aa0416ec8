import { z } from 'zod'
import type { FinishReason, ToolCall, ToolCallDelta } from '../../shared/generation.js'

const toolCallPieceSchema = z.looseObject({
  index: z.number().int().nonnegative().optional(),
  id: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).optional(),
})

const choiceSchema = z.looseObject({
  delta: z
    .looseObject({
      content: z.string().nullish(),
      // vLLM and llama.cpp server say reasoning_content; Ollama and newer vLLM say reasoning.
      reasoning_content: z.string().nullish(),
      reasoning: z.string().nullish(),
      tool_calls: z.array(toolCallPieceSchema).nullish(),
    })
    .optional(),
  message: z
    .looseObject({
      content: z.string().nullish(),
      reasoning_content: z.string().nullish(),
      reasoning: z.string().nullish(),
      tool_calls: z.array(toolCallPieceSchema).nullish(),
    })
    .optional(),
  text: z.string().nullish(),
  finish_reason: z.string().nullish(),
})

/** One streamed chunk, or a whole non-streamed answer: the same fields, under `delta` or `message`. */
export const openAiChunkSchema = z.looseObject({
  choices: z.array(choiceSchema).optional(),
  usage: z.looseObject({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() }).nullish(),
  error: z.unknown().optional(),
})

export type OpenAiChunk = z.infer<typeof openAiChunkSchema>

/** What a chunk adds to the reply. */
export interface ChunkPieces {
  content: string
  reasoning: string
  toolCalls: ToolCallDelta[]
  finish: FinishReason | null
}

/**
 * Collects a reply from its chunks. OpenAI sends a tool call's id and name on its first piece only; the
 * engine port wants them on every piece, so they are remembered per index.
 */
export function createReplyAssembler() {
  const calls = new Map<number, ToolCall>()
  let usage: { prompt_tokens?: number; completion_tokens?: number } | null = null

  return {
    add(chunk: OpenAiChunk): ChunkPieces {
      if (chunk.usage) usage = chunk.usage
      const choice = chunk.choices?.[0]
      const part = choice?.delta ?? choice?.message
      const toolCalls = (part?.tool_calls ?? []).map((piece, position) => {
        const index = piece.index ?? position
        const known = calls.get(index) ?? { id: piece.id || `call_${index}`, name: '', arguments: '' }
        if (piece.id && !calls.has(index)) known.id = piece.id
        if (piece.function?.name) known.name ||= piece.function.name
        const argumentsText = piece.function?.arguments ?? ''
        known.arguments += argumentsText
        calls.set(index, known)
        return { index, id: known.id, name: known.name, argumentsText }
      })
      return {
        content: (part?.content ?? '') + (choice?.text ?? ''),
        reasoning: part?.reasoning_content ?? part?.reasoning ?? '',
        toolCalls,
        finish: finishOf(choice?.finish_reason),
      }
    },
    toolCalls: (): ToolCall[] => [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call),
    usage: () => usage,
  }
}

function finishOf(reason: string | null | undefined): FinishReason | null {
  if (!reason) return null
  if (reason === 'length') return 'length'
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool-calls'
  return 'stop'
}
