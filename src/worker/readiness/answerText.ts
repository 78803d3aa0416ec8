import { fail, pass, type ChatToolCall, type ProbeAnswer, type Score } from './canary.js'

/** Validators judge only what follows a reasoning model's `<think>…</think>` (or `<thinking>`). */
export function stripThink(text: string | null | undefined): string {
  return (text ?? '').replace(/<think(?:ing)?>[\s\S]*?<\/think(?:ing)?>/g, '').trim()
}

/** Quotes or backticks around an otherwise exact answer are tolerated. */
export function stripWrappingQuotes(text: string): string {
  let answer = text.trim()
  for (;;) {
    const wrapper = ['`', '"', "'"].find((quote) => answer.length >= 2 && answer.startsWith(quote) && answer.endsWith(quote))
    if (!wrapper) return answer
    answer = answer.slice(1, -1).trim()
  }
}

/** The answer's one integer, or why there is not exactly one. */
export function singleInteger(answer: string): { value: number } | { reason: string } {
  const numbers = answer.toLowerCase().match(/(?<![a-z0-9-])-?\d+(?![a-z0-9])/g) ?? []
  if (numbers.length === 0) return { reason: 'the answer has no integer' }
  if (numbers.length > 1) return { reason: `the answer has ${numbers.length} integers, not one` }
  return { value: Number(numbers[0]) }
}

/** Scores an answer that must be exactly one integer. */
export function scoreInteger(answer: ProbeAnswer, expected: number): Score {
  const text = stripThink(answer.content)
  if (!text) return fail('the answer is empty')
  const found = singleInteger(text)
  if ('reason' in found) return fail(found.reason)
  return found.value === expected ? pass : fail(`answered ${found.value}, expected ${expected}`)
}

/** Scores an answer that must be exactly one token (a nonce, a record's value), quotes tolerated. */
export function scoreExactToken(answer: ProbeAnswer, expected: string): Score {
  const text = stripWrappingQuotes(stripThink(answer.content))
  if (!text) return fail('the answer is empty')
  if (/\s/.test(text)) return fail('the answer has more than the token')
  return text === expected ? pass : fail('the token is not the one asked for')
}

/** JSON with keys sorted, so that equal objects compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Parses text that must be one JSON object as a whole (no fences, no text around it). */
export function wholeJsonObject(text: string): Record<string, unknown> | null {
  const parsed = parseJson(text)
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null
}

/**
 * Scores a forced call: no text beside it, exactly one call, the name and the JSON arguments exactly
 * as expected (`needsId`: tool.chain also wants a non-empty call id).
 */
export function scoreSingleCall(answer: ProbeAnswer, name: string, args: Record<string, unknown>, needsId = false): Score {
  if (stripThink(answer.content)) return fail('there is text beside the call')
  const calls = answer.tool_calls ?? []
  if (calls.length !== 1) return fail(calls.length ? `${calls.length} calls instead of one` : 'no tool call')
  const call = calls[0] as ChatToolCall
  if (needsId && !call.id?.trim()) return fail('the call has no id')
  if (call.function.name !== name) return fail(`called ${call.function.name}, not ${name}`)
  const parsed = wholeJsonObject(call.function.arguments)
  if (!parsed) return fail('the arguments are not a JSON object')
  return canonicalJson(parsed) === canonicalJson(args) ? pass : fail('the arguments are not the ones asked for')
}
