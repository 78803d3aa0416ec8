import type { FinishReason, GenerateResult, ToolCall, ToolCallDelta } from '../../shared/generation.js'

/** The worker's frames on the AIPG socket (grid-protocol.md §13.2, §16.3), grid-exact. */
type Frame = Record<string, unknown>

const token = (id: string, delta: Frame): Frame => ({ type: 'token', id, delta, finish_reason: null })

export const contentFrame = (id: string, text: string): Frame => token(id, { content: text })

export const reasoningFrame = (id: string, text: string): Frame => token(id, { reasoning_content: text })

/**
 * One piece of a tool call, in OpenAI's streaming shape: the first piece of a call names it, every piece
 * carries its index and id (the grid merges by index and wants a non-empty id on each call).
 */
export function toolCallFrame(id: string, delta: ToolCallDelta, first: boolean): Frame {
  const call = first
    ? { index: delta.index, id: callId(delta), type: 'function', function: { name: delta.name, arguments: delta.argumentsText } }
    : { index: delta.index, id: callId(delta), function: { arguments: delta.argumentsText } }
  return token(id, { tool_calls: [call] })
}

/** OpenAI's finish reason for a result; a cancelled job stopped where it was told to. */
export function wireFinishReason(reason: FinishReason, cancelled: boolean): 'stop' | 'length' | 'tool_calls' {
  if (cancelled) return 'stop'
  if (reason === 'length') return 'length'
  return reason === 'tool-calls' ? 'tool_calls' : 'stop'
}

/**
 * The `done` frame: the whole answer and its usage, and `worker_sig` (§16.1) when the result was signed: over
 * exactly the `full_text` sent here, so a signature is never made over one text and sent with another.
 */
export function doneFrame(id: string, result: GenerateResult, cancelled: boolean, workerSig: string | null = null): Frame {
  const calls = result.toolCalls ?? []
  return {
    type: 'done',
    id,
    full_text: result.text,
    full_reasoning: result.reasoning ?? '',
    finish_reason: wireFinishReason(result.finishReason, cancelled),
    ...(calls.length > 0 ? { tool_calls: calls.map((call, index) => doneToolCall(call, index)) } : {}),
    usage: {
      prompt_tokens: result.promptTokens,
      completion_tokens: result.completionTokens,
      total_tokens: result.promptTokens + result.completionTokens,
    },
    ...(cancelled ? { cancelled: true } : {}),
    ...(workerSig ? { worker_sig: workerSig } : {}),
  }
}

export function errorFrame(id: string, message: string, clientError: boolean): Frame {
  return { type: 'error', id, message, client_error: clientError }
}

function doneToolCall(call: ToolCall, index: number) {
  return { index, id: callId({ id: call.id, index }), type: 'function', function: { name: call.name, arguments: call.arguments } }
}

/** The grid drops calls without an id; an engine that gave none still gets a stable one. */
function callId(call: { id: string; index: number }): string {
  return call.id || `call_${call.index}`
}
