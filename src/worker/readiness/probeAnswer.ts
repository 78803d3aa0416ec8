import type { FinishReason, GenerateResult, ToolCallDelta } from '../../shared/generation.js'
import type { ChatToolCall, ProbeAnswer } from './canary.js'

/** OpenAI's finish_reason for the engine's; an aborted (timed out) generation has none. */
export function openAiFinishReason(reason: FinishReason): ProbeAnswer['finish_reason'] {
  switch (reason) {
    case 'length':
      return 'length'
    case 'tool-calls':
      return 'tool_calls'
    case 'stop':
      return 'stop'
    case 'abort':
      return null
  }
}

/** Tool-call deltas merged by `index` as the grid merges them: the first id and name, the arguments joined. */
export function mergeToolCallDeltas(deltas: ToolCallDelta[]): ChatToolCall[] {
  const calls = new Map<number, ChatToolCall>()
  for (const delta of deltas) {
    const call = calls.get(delta.index)
    if (call) call.function.arguments += delta.argumentsText
    else calls.set(delta.index, { id: delta.id, type: 'function', function: { name: delta.name, arguments: delta.argumentsText } })
  }
  return [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call)
}

/** The answer as the grid assembles it from the worker's frames: done's full text, the streamed calls, usage. */
export function probeAnswerOf(result: GenerateResult, streamedCalls: ToolCallDelta[]): ProbeAnswer {
  const merged = mergeToolCallDeltas(streamedCalls)
  const toolCalls = merged.length
    ? merged
    : (result.toolCalls ?? []).map((call) => ({
        id: call.id,
        type: 'function' as const,
        function: { name: call.name, arguments: call.arguments },
      }))
  return {
    content: result.text,
    reasoning_content: result.reasoning ?? null,
    ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
    finish_reason: openAiFinishReason(result.finishReason),
    completion_tokens: result.completionTokens,
  }
}
