import type { ChatTurn, GenerateRequest, ResponseFormat, SamplingParams, ToolChoice } from '../../shared/generation.js'

/** The request as an OpenAI `/chat/completions` or `/completions` body for `model`. */
export function openAiBody(
  request: GenerateRequest,
  model: string,
  stream: boolean,
): { path: '/chat/completions' | '/completions'; body: Record<string, unknown> } {
  const common = {
    model,
    ...sampling(request.params),
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : { stream: false }),
  }
  if (request.kind === 'completion') return { path: '/completions', body: { ...common, prompt: request.prompt } }
  return {
    path: '/chat/completions',
    body: {
      ...common,
      messages: request.turns.map(message),
      ...(request.tools?.length
        ? {
            tools: request.tools.map((tool) => ({
              type: 'function',
              function: {
                name: tool.name,
                ...(tool.description ? { description: tool.description } : {}),
                ...(tool.parameters ? { parameters: tool.parameters } : {}),
                ...(tool.strict === undefined ? {} : { strict: tool.strict }),
              },
            })),
          }
        : {}),
      ...(request.toolChoice ? { tool_choice: toolChoice(request.toolChoice) } : {}),
      ...(request.parallelToolCalls === undefined ? {} : { parallel_tool_calls: request.parallelToolCalls }),
      ...(request.responseFormat ? { response_format: responseFormat(request.responseFormat) } : {}),
    },
  }
}

/**
 * OpenAI's sampling fields, plus the llama.cpp-server ones (top_k, min_p, repeat_penalty) only when a job
 * sets them: servers that know them use them, the others ignore unknown fields.
 */
function sampling(params: SamplingParams): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    max_tokens: params.maxTokens,
    temperature: params.temperature,
    top_p: params.topP,
    seed: params.seed,
    stop: params.stop?.length ? params.stop : undefined,
    top_k: params.topK,
    min_p: params.minP,
    repeat_penalty: params.repeatPenalty,
    repeat_last_n: params.repeatPenaltyRange,
  }
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined))
}

function message(turn: ChatTurn): Record<string, unknown> {
  if (turn.role === 'tool')
    return { role: 'tool', content: turn.content, tool_call_id: turn.toolCallId, ...(turn.name ? { name: turn.name } : {}) }
  if (turn.role === 'assistant' && turn.toolCalls?.length) {
    return {
      role: 'assistant',
      content: turn.content || null,
      tool_calls: turn.toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      })),
    }
  }
  return { role: turn.role, content: turn.content }
}

function toolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } }
}

function responseFormat(format: ResponseFormat): unknown {
  if (format.type !== 'json_schema') return { type: format.type }
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name ?? 'response',
      schema: format.schema,
      ...(format.strict === undefined ? {} : { strict: format.strict }),
    },
  }
}
