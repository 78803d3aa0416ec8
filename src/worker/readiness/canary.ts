import type { ReadinessFamily } from '../../shared/readiness.js'

/** An OpenAI function tool, as validators send it. */
export interface ChatTool {
  type: 'function'
  function: { name: string; description?: string; parameters: Record<string, unknown>; strict?: boolean }
}

/** An OpenAI tool call, as a worker answers it and as stage 2 of tool.chain sends it back. */
export interface ChatToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

/** A message of a probe's history. */
export type ChatMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string }

/** The OpenAI chat-completions body of a probe, exactly as the validators send it (§16.4). */
export interface ChatBody {
  messages: ChatMessage[]
  max_tokens: number
  temperature: number
  stream: true
  tools?: ChatTool[]
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } }
  stop?: string | string[]
}

/** What the worker answered, OpenAI-shaped (what the grid assembles from the token and done frames). */
export interface ProbeAnswer {
  content: string | null
  reasoning_content?: string | null
  tool_calls?: ChatToolCall[]
  finish_reason: 'stop' | 'length' | 'tool_calls' | null
  completion_tokens: number
}

/** A scorer's verdict on the answers; `reason` says what was wrong. */
export type Score = { pass: true } | { pass: false; reason: string }

/**
 * One probe of a family. Most have one stage; tool.chain has two, the second built from the first answer
 * (`followUp` gives null when the first answer already failed).
 */
export interface Canary {
  family: ReadinessFamily
  body: ChatBody
  followUp?(first: ProbeAnswer): ChatBody | null
  score(answers: ProbeAnswer[]): Score
}

export const pass: Score = { pass: true }
export const fail = (reason: string): Score => ({ pass: false, reason })

/** The single-user-message body every probe starts from. */
export function userProbe(content: string, extra: Partial<ChatBody> = {}): ChatBody {
  return { messages: [{ role: 'user', content }], max_tokens: 512, temperature: 0, stream: true, ...extra }
}
