import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import type { GenerateRequest, ToolCallDelta } from '../../src/shared/generation.js'
import { testModel } from '../support/gguf/testModels.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

/**
 * Grid-exact generation through the engine process: tool-call deltas, stop strings and client errors
 * cross it intact, on the template-less story model and on the Qwen3 and Llama 3 fixtures (real
 * tokenizers and chat templates), or on GRIDFORGE_ENGINE_TEST_MODEL alone.
 */
const temp = tempDataDir()
const models = process.env.GRIDFORGE_ENGINE_TEST_MODEL
  ? [process.env.GRIDFORGE_ENGINE_TEST_MODEL]
  : [temp.model, testModel('qwen3'), testModel('llama3_1')]

afterAll(() => temp.cleanup())

const submit = {
  name: 'submit_5e',
  description: 'Submits the answer.',
  // Bounded values, so that a model with random weights (the real-template fixtures) still finishes.
  parameters: {
    type: 'object',
    properties: { answer: { type: 'string', maxLength: 8 }, score: { enum: [0.5, 1] } },
    required: ['answer', 'score'],
    additionalProperties: false,
  },
  strict: true,
}

describe.each(models)('generation through the engine process on %s', (model) => {
  let engine: EngineSupervisor

  beforeAll(async () => {
    requireBuild()
    engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), sequences: 1 })
    await engine.load(model)
  })
  afterAll(async () => {
    await engine.close()
  })

  it('streams a forced call as deltas of one index, id and name whose arguments add up to the result', async () => {
    const deltas: ToolCallDelta[] = []
    const text: string[] = []
    const result = await engine.generate(
      {
        kind: 'chat',
        turns: [{ role: 'user', content: 'Submit it.' }],
        params: { maxTokens: 200, temperature: 0 },
        tools: [submit],
        toolChoice: { name: 'submit_5e' },
      },
      { onToolCall: (delta) => deltas.push(delta), onText: (t) => text.push(t) },
    )
    expect(result.finishReason).toBe('tool-calls')
    expect(result.text).toBe('')
    expect(text.join('')).toBe('')
    expect(result.toolCalls).toHaveLength(1)
    const call = result.toolCalls![0]!
    expect(new Set(deltas.map((d) => `${d.index}/${d.id}/${d.name}`))).toEqual(new Set([`0/${call.id}/submit_5e`]))
    expect(deltas.map((d) => d.argumentsText).join('')).toBe(call.arguments)
    const args = JSON.parse(call.arguments) as Record<string, unknown>
    expect(Object.keys(args).sort()).toEqual(['answer', 'score'])
    expect(typeof args.answer).toBe('string')
    expect([0.5, 1]).toContain(args.score)
  })

  it('keeps the stop in the text for Horde completions and drops it for chat, even inside a token', async () => {
    const prompt = 'Once upon a time'
    const free = await engine.generate({ kind: 'completion', prompt, params: { maxTokens: 120, temperature: 0 } })
    // " the" on the story model (it falls inside the token " there"); elsewhere a piece of the text itself.
    const stop = free.text.includes(' the') ? ' the' : free.text.slice(free.text.length >> 1, (free.text.length >> 1) + 3)
    const at = free.text.indexOf(stop)
    expect(stop.length).toBeGreaterThan(0)
    const streamed: string[] = []
    const horde = await engine.generate(
      { kind: 'completion', prompt, params: { maxTokens: 120, temperature: 0, stop: [stop], stopInText: true } },
      { onText: (t) => streamed.push(t) },
    )
    expect(horde.text).toBe(free.text.slice(0, at + stop.length))
    expect(streamed.join('')).toBe(horde.text)
    expect(horde.finishReason).toBe('stop')
    const openAi = await engine.generate({ kind: 'completion', prompt, params: { maxTokens: 120, temperature: 0, stop: [stop] } })
    expect(openAi.text).toBe(free.text.slice(0, at))
  })

  it.each<[string, GenerateRequest]>([
    [
      'a named function missing from tools',
      { kind: 'chat', turns: [{ role: 'user', content: 'x' }], params: { maxTokens: 8 }, tools: [submit], toolChoice: { name: 'other' } },
    ],
    [
      'an invalid response schema',
      {
        kind: 'chat',
        turns: [{ role: 'user', content: 'x' }],
        params: { maxTokens: 8 },
        responseFormat: { type: 'json_schema', schema: { type: 'tuple' } },
      },
    ],
    [
      'a tool turn answering no call',
      {
        kind: 'chat',
        turns: [
          { role: 'user', content: 'x' },
          { role: 'tool', toolCallId: 'call_9', content: 'r' },
        ],
        params: { maxTokens: 8 },
        tools: [submit],
      },
    ],
  ])('refuses %s as BAD_REQUEST and serves the next request', async (_name, request) => {
    await expect(engine.generate(request)).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    expect((await engine.generate({ kind: 'completion', prompt: 'Once', params: { maxTokens: 4 } })).completionTokens).toBeGreaterThan(0)
  })
})
