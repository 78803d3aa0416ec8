import type { GenerateRequest, GenerateResult } from '../../src/shared/generation.js'
import type { Canary, ChatBody, ChatToolCall, ProbeAnswer } from '../../src/worker/readiness/canary.js'
import { planProbes } from '../../src/worker/readiness/families.js'
import type { Clock, GenerationEngine } from '../../src/worker/ports.js'

const userText = (body: ChatBody) => {
  const first = body.messages[0]!
  return first.role === 'user' ? first.content : ''
}

function match(text: string, pattern: RegExp): string[] {
  const found = pattern.exec(text)
  if (!found) throw new Error(`the probe does not say ${pattern}`)
  return found.slice(1)
}

const text = (content: string, completionTokens = 4): ProbeAnswer => ({
  content,
  finish_reason: 'stop',
  completion_tokens: completionTokens,
})
const call = (name: string, args: unknown, id = 'call_1'): ProbeAnswer => ({
  content: null,
  tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
  finish_reason: 'tool_calls',
  completion_tokens: 12,
})

/** Python for each of code.function's wordings, as a careful model would write it. */
const CODE_FOR: Array<[RegExp, (m: string[]) => string]> = [
  [/x multiplied by (\d+), plus (\d+)/, ([a, b]) => `x * ${a} + ${b}`],
  [/the square of x, minus (\d+)/, ([a]) => `x ** 2 - ${a}`],
  [/the floor division of x by (\d+) \(Python's \/\/\), plus (\d+)/, ([a, b]) => `x // ${a} + ${b}`],
  [/x modulo (\d+) \(Python's %\), multiplied by (\d+)/, ([a, b]) => `(x % ${a}) * ${b}`],
  [/(\d+) times x when x is negative, and x plus (\d+) otherwise/, ([a, b]) => `${a} * x if x < 0 else x + ${b}`],
]

/** The body of code.function's right answer: the function with `expression` as what it returns. */
export function codeAnswer(body: ChatBody): { name: string; expression: string } {
  const prompt = userText(body)
  const [name] = match(prompt, /named (transform_[0-9a-f]{8})/)
  for (const [pattern, write] of CODE_FOR) {
    const found = pattern.exec(prompt)
    if (found) return { name: name!, expression: write(found.slice(1)) }
  }
  throw new Error('unknown code.function wording')
}

/** What a model that follows every probe exactly answers, read from the probe as a model would read it. */
export function rightAnswer(canary: Canary, body: ChatBody): ProbeAnswer {
  const prompt = userText(body)
  switch (canary.family) {
    case 'echo':
      return text(match(prompt, /and nothing else: ([0-9a-f]{16})$/)[0]!)
    case 'math.add': {
      const [a, b] = match(prompt, /What is (\d+) \+ (\d+)\?/).map(Number)
      return text(String(a! + b!))
    }
    case 'math.mul': {
      const [a, b] = match(prompt, /What is (\d+) \* (\d+)\?/).map(Number)
      return text(String(a! * b!))
    }
    case 'json.object': {
      const [id, code, active] = match(
        prompt,
        /"id" with the integer (\d+), "code" with the string "([0-9a-f]+)", and "active" with the boolean (true|false)/,
      )
      return text(JSON.stringify({ active: active === 'true', code, id: Number(id) }))
    }
    case 'logic.steps': {
      let value = Number(match(prompt, /^Start with (\d+)\./)[0])
      for (const [, op, n] of prompt.matchAll(/^\d\. (add|subtract|multiply by) (\d+)$/gm)) {
        value = op === 'add' ? value + Number(n) : op === 'subtract' ? value - Number(n) : value * Number(n)
      }
      return text(String(value))
    }
    case 'code.function': {
      const { name, expression } = codeAnswer(body)
      return text(`def ${name}(x):\n    return ${expression}\n`, 20)
    }
    case 'tool.call': {
      const [name, code, count] = match(prompt, /Call (record_[0-9a-f]{8}) with code "([0-9a-f]+)" and count (\d+)\./)
      return call(name!, { count: Number(count), code })
    }
    case 'tool.chain': {
      if (body.messages.length === 1) {
        const [name, key] = match(prompt, /Use (lookup_[0-9a-f]{8}) to look up the key "([\w-]+)"/)
        return call(name!, { key }, 'call_lookup')
      }
      const tool = body.messages.find((message) => message.role === 'tool')!
      const choice = body.tool_choice as { function: { name: string } }
      return call(choice.function.name, { value: (JSON.parse(tool.content) as { value: string }).value }, 'call_submit')
    }
    case 'stop.sequence':
      return text(match(prompt, /nothing else: ([0-9a-f]{12})<STOP_/)[0]!)
    case 'token.limit': {
      const [word] = match(prompt, /Repeat the word "(\w+)"/)
      return {
        content: Array.from({ length: body.max_tokens }, () => word).join(' '),
        finish_reason: 'length',
        completion_tokens: body.max_tokens,
      }
    }
    case 'context.retrieve':
    case 'context.retrieve.16k':
    case 'context.retrieve.32k': {
      const [key] = match(prompt, /record with key=(\S+)\?/)
      return text(match(prompt, new RegExp(`^key=${key} .* value=([0-9a-f]+)$`, 'm'))[0]!)
    }
  }
}

/** A clock that moves only when told to; sleeps end only when their signal aborts. */
export function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start
  return {
    now: () => now,
    advance: (ms) => (now += ms),
    sleep: (_ms, signal) =>
      new Promise((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve(), { once: true }))),
  }
}

export interface OracleCall {
  request: GenerateRequest
  family: string
}

/**
 * A fake engine that answers every probe of `seed` as `answer` says (by default: rightly), streaming through
 * onText / onToolCall, and taking `msPerToken` of fake time per token after a 100 ms first token.
 */
export function oracleEngine(options: {
  seed: number
  maxContextLength: number
  clock: ReturnType<typeof fakeClock>
  msPerToken?: number
  answer?: (canary: Canary, body: ChatBody, right: ProbeAnswer) => ProbeAnswer
}): GenerationEngine & { calls: OracleCall[] } {
  const canaries = planProbes(options.seed, options.maxContextLength).flatMap((probe) => ('canary' in probe ? [probe.canary] : []))
  const stages = new Map<Canary, ChatBody[]>()
  const calls: OracleCall[] = []
  return {
    calls,
    async generate(request, handlers) {
      if (request.kind !== 'chat') throw new Error('probes are chats')
      const first = request.turns.find((turn) => turn.role === 'user')!.content
      const canary = canaries.find((candidate) => userText(candidate.body) === first)
      if (!canary) throw new Error('not a probe of this seed')
      calls.push({ request, family: canary.family })
      // The stage's body as the runner sent it: tool.chain's second stage follows the first right answer.
      const seen = stages.get(canary) ?? []
      const body = seen.length === 0 ? canary.body : canary.followUp!(rightAnswer(canary, canary.body))!
      stages.set(canary, [...seen, body])
      const right = rightAnswer(canary, body)
      const answer = options.answer ? options.answer(canary, body, right) : right
      options.clock.advance(100)
      const tokens = answer.completion_tokens
      if (answer.content) handlers.onText?.(answer.content, tokens)
      for (const [index, tc] of (answer.tool_calls ?? []).entries()) streamCall(tc, index, tokens, handlers.onToolCall)
      options.clock.advance((options.msPerToken ?? 10) * Math.max(0, tokens - 1))
      const finishReason = answer.finish_reason === 'tool_calls' ? 'tool-calls' : answer.finish_reason === 'length' ? 'length' : 'stop'
      const result: GenerateResult = {
        text: answer.content ?? '',
        finishReason,
        promptTokens: Math.ceil(first.length / 4),
        completionTokens: tokens,
        durationMs: 0,
        firstTokenMs: 100,
      }
      return result
    },
  }
}

function streamCall(
  tc: ChatToolCall,
  index: number,
  tokens: number,
  onToolCall: Parameters<GenerationEngine['generate']>[1]['onToolCall'],
) {
  const args = tc.function.arguments
  const half = Math.floor(args.length / 2)
  onToolCall?.({ index, id: tc.id, name: tc.function.name, argumentsText: args.slice(0, half) }, tokens)
  onToolCall?.({ index, id: tc.id, name: tc.function.name, argumentsText: args.slice(half) }, tokens)
}
