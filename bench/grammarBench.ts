import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import type { ChatTurn, GenerateRequest, GenerateResult, ToolDefinition } from '../src/shared/generation.js'
import { median, metric, type Metric } from './metrics.js'

const ROUNDS = 5
const TOKENS = 160
const TURNS = 20

/** Long enough output to time decoding: a list of strings, as a tool's arguments or the whole reply. */
const listSchema = {
  type: 'object',
  properties: { title: { type: 'string' }, items: { type: 'array', items: { type: 'string' }, minItems: 24 }, done: { type: 'boolean' } },
  required: ['title', 'items', 'done'],
  additionalProperties: false,
}
const listTool: ToolDefinition = { name: 'save_list', description: 'Saves a list.', parameters: listSchema, strict: true }
const lookupTool: ToolDefinition = {
  name: 'lookup',
  description: 'Looks a word up by number.',
  parameters: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false },
}

/** Decode speed of one generation: tokens after the first over the time after the first. */
function decodeTps(result: GenerateResult): number {
  const decodeMs = result.durationMs - (result.firstTokenMs ?? 0)
  return decodeMs > 0 ? ((result.completionTokens - 1) / decodeMs) * 1000 : Number.NaN
}

/**
 * Grammar-constrained generation (a forced tool call, a json_schema reply) against free generation on
 * the same model and prompt, rounds alternating; and a 20-turn conversation with tools on one
 * conversation's sequence, counting what each turn evaluates against what it added.
 */
export async function grammarBench(engineEntry: string, model: string): Promise<Metric[]> {
  const engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), sequences: 1 })
  try {
    await engine.load(model)
    const turns: ChatTurn[] = [{ role: 'user', content: 'Once upon a time there was a list of things to buy.' }]
    const params = { maxTokens: TOKENS, temperature: 0 }
    // Decode slows down as the context fills (on the tiny model attention dominates), so each
    // constrained run is compared with free text after the same prompt: the short chat, or the chat
    // with the tool instructions (tool_choice auto, where the model writes text).
    const runs = {
      free: { kind: 'chat', turns, params: { ...params, ignoreEos: true } },
      json: { kind: 'chat', turns, params, responseFormat: { type: 'json_schema', schema: listSchema, strict: true } },
      freeWithTools: { kind: 'chat', turns, params: { ...params, ignoreEos: true }, tools: [listTool], toolChoice: 'auto' },
      tool: { kind: 'chat', turns, params, tools: [listTool], toolChoice: { name: 'save_list' } },
    } satisfies Record<string, GenerateRequest>
    const speeds: Record<keyof typeof runs, number[]> = { free: [], json: [], freeWithTools: [], tool: [] }
    const tokens: Record<keyof typeof runs, number[]> = { free: [], json: [], freeWithTools: [], tool: [] }
    await engine.generate(runs.free)
    for (let round = 0; round < ROUNDS; round++) {
      for (const key of Object.keys(runs) as Array<keyof typeof runs>) {
        const result = await engine.generate(runs[key])
        speeds[key].push(decodeTps(result))
        tokens[key].push(result.completionTokens)
      }
    }
    const tps = (key: keyof typeof runs) => median(speeds[key])
    const note = (key: keyof typeof runs) => `${median(tokens[key])} tokens, median of ${ROUNDS}`
    const metrics = [
      metric('generate.tiny.free_tps', tps('free'), 'tok/s', undefined, note('free')),
      metric('generate.tiny.json_schema_tps', tps('json'), 'tok/s', undefined, note('json')),
      metric('generate.tiny.free_after_tool_prompt_tps', tps('freeWithTools'), 'tok/s', undefined, note('freeWithTools')),
      metric('generate.tiny.tool_call_tps', tps('tool'), 'tok/s', undefined, note('tool')),
      metric('generate.tiny.json_schema_vs_free', tps('json') / tps('free'), 'ratio', '>= 0.85'),
      metric('generate.tiny.tool_call_vs_free', tps('tool') / tps('freeWithTools'), 'ratio', '>= 0.85', 'both after the same tool prompt'),
    ]
    metrics.push(...(await conversationWithTools(engine)))
    return metrics
  } finally {
    await engine.close()
  }
}

/**
 * A conversation of `TURNS` turns, each a forced tool call and its result (and now and then a reply), on one kept
 * sequence. For every request after the first: the prompt tokens evaluated against what the prompt grew
 * by since the previous request (the new messages, and the last reply as the template renders it).
 */
async function conversationWithTools(engine: EngineSupervisor): Promise<Metric[]> {
  const conversationId = 'bench-tools'
  const turns: ChatTurn[] = []
  const ratios: number[] = []
  const evaluated: number[] = []
  let previous: GenerateResult | null = null
  let lastPrompt = 0
  const ask = async (request: Partial<Extract<GenerateRequest, { kind: 'chat' }>>) => {
    const result = await engine.generate({
      kind: 'chat',
      turns,
      params: { maxTokens: 64, temperature: 0 },
      tools: [lookupTool],
      conversationId,
      ...request,
    })
    if (previous) {
      // The turn's tokens: what the prompt grew by since the last request (new messages, the last reply as rendered).
      const added = Math.max(1, result.promptTokens - previous.promptTokens)
      evaluated.push(result.promptTokensEvaluated ?? result.promptTokens)
      ratios.push((result.promptTokensEvaluated ?? result.promptTokens) / added)
    }
    previous = result
    lastPrompt = result.promptTokens
    return result
  }
  for (let turn = 1; turn <= TURNS; turn++) {
    turns.push({ role: 'user', content: `Word ${turn}?` })
    const call = await ask({ toolChoice: { name: 'lookup' } })
    const made = call.toolCalls?.[0]
    if (!made) throw new Error(`bench: the forced call was not made (turn ${turn}, finish ${call.finishReason})`)
    turns.push({ role: 'assistant', content: '', toolCalls: [made] })
    turns.push({ role: 'tool', toolCallId: made.id, content: 'tree' })
    // A short reply every fifth turn: 20 full turns of the tiny model's generic tool prompt would not fit its 2,048-token context.
    if (turn % 5 === 0)
      turns.push({ role: 'assistant', content: (await ask({ toolChoice: 'auto', params: { maxTokens: 8, temperature: 0 } })).text })
  }
  const note = `${TURNS} turns (${ratios.length} requests after the first), ${lastPrompt} prompt tokens at the end`
  return [
    metric('chat.tools.turn_prompt_tokens_evaluated', median(evaluated), 'tokens', undefined, note),
    metric('chat.tools.evaluated_vs_new_tokens', median(ratios), 'ratio', '<= 1.25', note),
    metric('chat.tools.evaluated_vs_new_tokens.worst', Math.max(...ratios), 'ratio', undefined, note),
  ]
}
