import {
  isChatModelResponseFunctionCall,
  type LlamaTextJSON,
  type ChatHistoryItem,
  type ChatModelFunctionCall,
  type ChatModelFunctions,
  type ChatModelResponse,
  type ChatModelSegment,
} from 'node-llama-cpp'
import type { ChatTurn, ToolCall, ToolDefinition } from '../../shared/generation.js'
import { AppError } from '../../shared/result.js'
import { toGrammarSchema } from './jsonSchema.js'

/** What a function name may be (OpenAI's rule); node-llama-cpp's name grammar also needs it free of spaces. */
const FUNCTION_NAME = /^[a-zA-Z0-9_.-]{1,64}$/

export type TrimmedRole = 'system' | 'user' | 'assistant'

/** How the loaded chat template treats earlier turns (see `historyOptionsFor`). */
export interface HistoryOptions {
  /** The template has a thinking segment (Qwen3 `<think>`, gpt-oss analysis): earlier reasoning is handed to it. */
  thoughts: boolean
  /** Roles whose content the template trims. */
  trim?: ReadonlySet<TrimmedRole>
  /** A closed thought as the template renders it, with what follows `</think>`; absent: the wrapper's own rendering. */
  thoughtRaw?: (reasoning: string) => LlamaTextJSON
  /** A call rendered with the client's own argument text; absent: the wrapper re-serialises the parsed arguments. */
  rawCall?: (name: string, argumentsText: string) => LlamaTextJSON
  /** The wrapper prints string results as they are, so a tool's output stays exactly what the client sent. */
  rawToolResults?: boolean
}

/**
 * A conversation as node-llama-cpp's chat wrappers render it: system and user turns as they are, each
 * assistant turn as a model response (its reasoning as a thought segment where the template has one,
 * its content, then its tool calls, each paired with the `tool` turn that answers it). An assistant
 * turn that follows its own tool results continues the same model response, the way the library
 * represents a function-calling round. The history always ends with the model response to generate:
 * after tool results that is the response holding the calls, so the model continues it.
 *
 * Throws `BAD_REQUEST` for what no template can render: a tool turn without `toolCallId` or answering
 * no call, tool-call arguments that are not JSON.
 */
export function toChatHistory(turns: ChatTurn[], options: HistoryOptions): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = []
  const pending = new Map<string, ChatModelFunctionCall>()
  /** The model response that the last tool results answered; the next assistant turn continues it. */
  let answered: ChatModelResponse | null = null
  turns.forEach((turn, index) => {
    if (turn.role === 'tool') {
      if (!turn.toolCallId) throw bad(`Message ${index} is a tool result without a tool_call_id.`)
      const call = pending.get(turn.toolCallId)
      if (!call)
        throw bad(`Message ${index} answers tool call ${JSON.stringify(turn.toolCallId)}, which no earlier assistant message made.`)
      pending.delete(turn.toolCallId)
      call.result = options.rawToolResults ? turn.content : toolResult(turn.content)
      const last = history.at(-1)
      answered = last?.type === 'model' ? last : null
      return
    }
    if (turn.role === 'assistant') {
      const response = modelResponse(turn, index, options, pending)
      if (answered && history.at(-1) === answered) {
        answered.response.push(...response)
      } else {
        history.push({ type: 'model', response })
      }
      answered = null
      return
    }
    pending.clear()
    answered = null
    const text = trimmed(turn.content, turn.role, options)
    history.push(turn.role === 'system' ? { type: 'system', text } : { type: 'user', text })
  })
  const last = history.at(-1)
  if (last?.type !== 'model' || !isChatModelResponseFunctionCall(last.response.at(-1))) history.push({ type: 'model', response: [] })
  return history
}

/**
 * The history with the reply to generate continuing after the thoughts an earlier attempt at it wrote
 * (and nothing else it wrote), so that a second attempt answers from the end of the model's thinking.
 */
export function afterThoughts(history: ChatHistoryItem[], written: ReadonlyArray<string | ChatModelSegment>): ChatHistoryItem[] {
  const last = history.at(-1)
  if (last?.type !== 'model') return history
  const thoughts = written.filter((item): item is ChatModelSegment => typeof item !== 'string' && item.segmentType === 'thought')
  return [...history.slice(0, -1), { type: 'model', response: [...last.response, ...thoughts] }]
}

/** The client's tools as node-llama-cpp functions; each function's parameters become its grammar. */
export function toChatFunctions(tools: ToolDefinition[]): ChatModelFunctions {
  const functions: Record<string, ChatModelFunctions[string]> = {}
  for (const tool of tools) {
    if (!FUNCTION_NAME.test(tool.name))
      throw bad(`The tool name ${JSON.stringify(tool.name.slice(0, 80))} is not 1-64 letters, digits, _, . or -.`)
    if (tool.name in functions) throw bad(`The tool ${tool.name} is defined twice.`)
    functions[tool.name] = {
      ...(tool.description ? { description: tool.description } : {}),
      ...(tool.parameters !== undefined && hasParameters(tool.parameters)
        ? { params: toGrammarSchema(tool.parameters, `The parameters of tool ${tool.name}`) }
        : {}),
    }
  }
  return functions
}

function modelResponse(
  turn: ChatTurn,
  index: number,
  options: HistoryOptions,
  pending: Map<string, ChatModelFunctionCall>,
): ChatModelResponse['response'] {
  const response: ChatModelResponse['response'] = []
  if (options.thoughts && turn.reasoning) {
    const thought: ChatModelSegment = {
      type: 'segment',
      segmentType: 'thought',
      text: turn.reasoning,
      ended: true,
      ...(options.thoughtRaw ? { raw: options.thoughtRaw(turn.reasoning) } : {}),
    }
    response.push(thought)
  }
  const content = trimmed(turn.content, 'assistant', options)
  if (content) response.push(content)
  pending.clear()
  ;(turn.toolCalls ?? []).forEach((call, position) => {
    const item: ChatModelFunctionCall = {
      type: 'functionCall',
      name: call.name,
      params: callArguments(call, index),
      ...(options.rawCall && call.arguments.trim() !== '' ? { rawCall: options.rawCall(call.name, call.arguments) } : {}),
      // Until its tool turn answers it; a call the client never answered renders as returning nothing.
      result: undefined,
      ...(position === 0 ? { startsNewChunk: true } : {}),
    }
    response.push(item)
    pending.set(call.id, item)
  })
  return response
}

function callArguments(call: ToolCall, index: number): unknown {
  if (call.arguments.trim() === '') return undefined
  try {
    return JSON.parse(call.arguments)
  } catch {
    throw bad(`The arguments of tool call ${JSON.stringify(call.id)} in message ${index} are not valid JSON.`)
  }
}

function trimmed(content: string, role: TrimmedRole, options: HistoryOptions): string {
  return options.trim?.has(role) ? content.trim() : content
}

/** A tool's output as the template shows it: JSON values as JSON, anything else as the text it is. */
function toolResult(content: string): unknown {
  try {
    return JSON.parse(content)
  } catch {
    return content
  }
}

/** Keywords that leave an object schema without arguments when it lists no properties. */
const EMPTY_OBJECT_KEYS = new Set(['type', 'properties', 'required', 'additionalProperties', 'description', 'title', '$schema'])

/** A function without parameters (an object schema without properties) is called with `{}`. */
function hasParameters(parameters: Record<string, unknown>): boolean {
  const { properties, type, additionalProperties } = parameters
  const listsNone =
    properties === undefined || (typeof properties === 'object' && properties !== null && Object.keys(properties).length === 0)
  const empty =
    listsNone && (type === undefined || type === 'object') && (additionalProperties === undefined || additionalProperties === false)
  return !(empty && Object.keys(parameters).every((key) => EMPTY_OBJECT_KEYS.has(key)))
}

function bad(message: string): AppError {
  return new AppError('BAD_REQUEST', message)
}
