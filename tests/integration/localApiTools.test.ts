import OpenAI from 'openai'
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions'
import { basename } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { startLocalApi, type LocalApi } from '../../src/main/localApi/localApiServer.js'
import { testModel } from '../support/gguf/testModels.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

/**
 * Tools, structured output and stop strings through the official openai client, on the template-less
 * test model (tools the generic way: instructions plus grammar) and the Qwen3 and Llama 3 fixtures (real
 * tokenizers and chat templates), or on the models in GRIDFORGE_TOOL_TEST_MODELS (comma-separated paths).
 */
const temp = tempDataDir()
const models = process.env.GRIDFORGE_TOOL_TEST_MODELS?.split(',').filter(Boolean) ?? [temp.model, testModel('qwen3'), testModel('llama3_1')]
const token = 'gf-test-token-0123456789'

afterAll(() => temp.cleanup())

const record: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'record_3f9a',
    description: 'Records one finding.',
    strict: true,
    parameters: {
      type: 'object',
      // Bounded values, so that a model with random weights (the real-template fixtures) still finishes.
      properties: { code: { type: 'string', maxLength: 8 }, count: { type: 'integer', enum: [1, 2, 3] }, valid: { type: 'boolean' } },
      required: ['code', 'count', 'valid'],
      additionalProperties: false,
    },
  },
}
const lookup: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'lookup_77c1',
    description: 'Looks a key up.',
    strict: true,
    parameters: { type: 'object', properties: { key: { type: 'string', maxLength: 8 } }, required: ['key'], additionalProperties: false },
  },
}
const ping: ChatCompletionTool = { type: 'function', function: { name: 'ping', description: 'Checks the line.' } }

/** Whether `args` is exactly an object of the record tool's schema. */
function expectRecordArguments(args: string): void {
  const parsed = JSON.parse(args) as Record<string, unknown>
  expect(Object.keys(parsed).sort()).toEqual(['code', 'count', 'valid'])
  expect(typeof parsed.code).toBe('string')
  // maxLength as JSON Schema counts it: code points (an emoji is one).
  expect([...(parsed.code as string)].length).toBeLessThanOrEqual(8)
  expect(Number.isInteger(parsed.count)).toBe(true)
  expect(typeof parsed.valid).toBe('boolean')
}

describe.each(models)('tools, JSON and stop strings on %s', (modelPath) => {
  let engine: EngineSupervisor
  let api: LocalApi
  let openai: OpenAI
  const model = basename(modelPath).replace(/\.gguf$/i, '')
  const user: ChatCompletionMessageParam = { role: 'user', content: 'Record the finding now.' }

  beforeAll(async () => {
    requireBuild()
    engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), sequences: 1 })
    await engine.load(modelPath)
    api = await startLocalApi(engine, () => () => undefined, { host: '127.0.0.1', port: 0, token })
    openai = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: token, maxRetries: 0 })
  })
  afterAll(async () => {
    await api.close()
    await engine.close()
  })

  it('makes exactly one call of a named tool with schema-valid arguments and no text', async () => {
    const completion = await openai.chat.completions.create({
      model,
      messages: [user],
      tools: [lookup, record],
      tool_choice: { type: 'function', function: { name: 'record_3f9a' } },
      max_tokens: 200,
      temperature: 0,
    })
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.content).toBeNull()
    expect(choice.message.tool_calls).toHaveLength(1)
    const call = choice.message.tool_calls![0]!
    expect(call.type).toBe('function')
    expect(call.id).toMatch(/^call_\w+$/)
    if (call.type !== 'function') throw new Error('not a function call')
    expect(call.function.name).toBe('record_3f9a')
    expectRecordArguments(call.function.arguments)
    // Usage counts the tokens of the call itself (its name and arguments), within the limit.
    expect(completion.usage!.completion_tokens).toBeGreaterThan(5)
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(200)
  })

  it('streams a forced call as delta.tool_calls: one index, a stable id, the name once, argument chunks', async () => {
    const stream = await openai.chat.completions.create({
      model,
      messages: [user],
      tools: [record],
      tool_choice: 'required',
      parallel_tool_calls: false,
      max_tokens: 200,
      temperature: 0,
      stream: true,
    })
    const calls = new Map<number, { id: string; name: string; arguments: string; chunks: number }>()
    let content = ''
    let finish: string | null = null
    for await (const chunk of stream) {
      const choice = chunk.choices[0]
      if (!choice) continue
      content += choice.delta.content ?? ''
      for (const delta of choice.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { id: '', name: '', arguments: '', chunks: 0 }
        if (delta.id) {
          expect(call.id).toBe('')
          call.id = delta.id
        }
        call.name += delta.function?.name ?? ''
        call.arguments += delta.function?.arguments ?? ''
        call.chunks++
        calls.set(delta.index, call)
      }
      finish = choice.finish_reason ?? finish
    }
    expect(finish).toBe('tool_calls')
    expect(content).toBe('')
    expect([...calls.keys()]).toEqual([0])
    const call = calls.get(0)!
    expect(call.id).toMatch(/^call_\w+$/)
    expect(call.name).toBe('record_3f9a')
    expect(call.chunks).toBeGreaterThan(1)
    expectRecordArguments(call.arguments)
  })

  it('runs a tool round trip: the call and its result go back, and the next forced call follows', async () => {
    const first = await openai.chat.completions.create({
      model,
      messages: [user],
      tools: [lookup, record],
      tool_choice: { type: 'function', function: { name: 'lookup_77c1' } },
      max_tokens: 120,
      temperature: 0,
    })
    const call = first.choices[0]!.message.tool_calls![0]!
    const history: ChatCompletionMessageParam[] = [
      user,
      { role: 'assistant', content: null, tool_calls: first.choices[0]!.message.tool_calls! },
      { role: 'tool', tool_call_id: call.id, content: '{"value":"a1b2"}' },
    ]
    const second = await openai.chat.completions.create({
      model,
      messages: history,
      tools: [lookup, record],
      tool_choice: { type: 'function', function: { name: 'record_3f9a' } },
      max_tokens: 200,
      temperature: 0,
    })
    const choice = second.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.tool_calls).toHaveLength(1)
    const next = choice.message.tool_calls![0]!
    expect(next.id).not.toBe(call.id)
    if (next.type !== 'function') throw new Error('not a function call')
    expect(next.function.name).toBe('record_3f9a')
    expectRecordArguments(next.function.arguments)
    // The round trip reached the prompt: the history with the tool result is longer than the first request.
    expect(second.usage!.prompt_tokens).toBeGreaterThan(first.usage!.prompt_tokens)
  })

  it('calls a function without parameters with {} and answers in text when tool_choice is none', async () => {
    const forced = await openai.chat.completions.create({
      model,
      messages: [user],
      tools: [ping],
      tool_choice: 'required',
      max_tokens: 40,
      temperature: 0,
    })
    const call = forced.choices[0]!.message.tool_calls![0]!
    if (call.type !== 'function') throw new Error('not a function call')
    expect(call.function).toEqual({ name: 'ping', arguments: '{}' })
    const none = await openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Once upon a time' }],
      tools: [ping],
      tool_choice: 'none',
      max_tokens: 16,
      temperature: 0,
    })
    expect(none.choices[0]!.message.tool_calls).toBeUndefined()
    expect(none.choices[0]!.message.content!.length).toBeGreaterThan(0)
  })

  it('answers json_schema with content that parses whole into the schema, without fences', async () => {
    const completion = await openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Give the finding as JSON.' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'finding',
          strict: true,
          schema: (record as { function: { parameters: Record<string, unknown> } }).function.parameters,
        },
      },
      max_tokens: 200,
      temperature: 0,
    })
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe('stop')
    expect(choice.message.content!.trim().startsWith('{')).toBe(true)
    expectRecordArguments(choice.message.content!)
  })

  it('honours stop as a string wherever it falls inside a token, and never emits it', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Once upon a time' }]
    const free = await openai.chat.completions.create({ model, messages, max_tokens: 120, temperature: 0 })
    const text = free.choices[0]!.message.content!
    // " the" on the story model (it falls inside the token " there"); elsewhere a piece of the text itself.
    const stop = text.includes(' the') ? ' the' : text.slice(text.length >> 1, (text.length >> 1) + 3)
    const at = text.indexOf(stop)
    expect(stop.length).toBeGreaterThan(0)
    const stopped = await openai.chat.completions.create({ model, messages, max_tokens: 120, temperature: 0, stop })
    expect(stopped.choices[0]!.message.content).toBe(text.slice(0, at))
    expect(stopped.choices[0]!.finish_reason).toBe('stop')
    const stream = await openai.chat.completions.create({ model, messages, max_tokens: 120, temperature: 0, stop, stream: true })
    let streamed = ''
    let finish: string | null = null
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(streamed).toBe(text.slice(0, at))
    expect(finish).toBe('stop')
  })

  it('stops at max_tokens exactly with finish_reason length', async () => {
    const completion = await openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Once upon a time' }],
      max_tokens: 9,
      temperature: 0,
    })
    expect(completion.choices[0]!.finish_reason).toBe('length')
    expect(completion.usage!.completion_tokens).toBe(9)
  })

  it.each([
    ['a tool_choice naming a missing function', { tools: [record], tool_choice: { type: 'function', function: { name: 'nope' } } }],
    [
      'a recursive schema',
      {
        tools: [
          {
            type: 'function',
            function: {
              name: 'tree',
              parameters: { $defs: { n: { type: 'object', properties: { k: { $ref: '#/$defs/n' } } } }, $ref: '#/$defs/n' },
            },
          },
        ],
        tool_choice: 'required',
      },
    ],
    ['a tool message without tool_call_id', { messages: [user, { role: 'tool', content: 'x' }] }],
    ['more context than the model holds', { messages: [{ role: 'user', content: 'the cat sat. '.repeat(4000) }] }],
    ['an unknown response_format', { response_format: { type: 'yaml' } }],
  ])('answers %s with 400 and OpenAI error JSON, and keeps serving', async (_name, body) => {
    const response = await fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ model, messages: [user], max_tokens: 8, ...body }),
    })
    expect(response.status).toBe(400)
    const error = (await response.json()) as { error: { message: string; type: string } }
    expect(error.error.type).toBe('invalid_request_error')
    expect(error.error.message.length).toBeGreaterThan(10)
    const streamed = await fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ model, messages: [user], max_tokens: 8, stream: true, ...body }),
    })
    expect(streamed.status).toBe(400)
    expect((await openai.chat.completions.create({ model, messages: [user], max_tokens: 4 })).choices).toHaveLength(1)
  })
})
