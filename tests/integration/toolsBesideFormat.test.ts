import { getLlama, LlamaChat, LlamaLogLevel, type LlamaModel } from 'node-llama-cpp'
import OpenAI from 'openai'
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionTool } from 'openai/resources/chat/completions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toChatFunctions, toChatHistory } from '../../src/main/engine/chatHistory.js'
import { historyOptionsFor } from '../../src/main/engine/chatTemplateTraits.js'
import { chatWrapperFor } from '../../src/main/engine/chatWrapperChoice.js'
import { callBan } from '../../src/main/engine/declinedCalls.js'
import { withDocumentedTools } from '../../src/main/engine/documentedTools.js'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { chatPromptTokens } from '../../src/main/engine/promptTokens.js'
import { startLocalApi, type LocalApi } from '../../src/main/localApi/localApiServer.js'
import type { ToolDefinition } from '../../src/shared/generation.js'
import { runAipgJob } from '../support/aipgJob.js'
import { promptCorpus } from '../support/gguf/promptCorpus.js'
import { ReferencePrompt } from '../support/gguf/referencePrompt.js'
import { scriptedModel } from '../support/gguf/scriptedModels.js'
import { testModel } from '../support/gguf/testModels.js'
import { engineEntry, requireBuild } from '../support/paths.js'

/**
 * `tool_choice: "none"` (tools known, no call allowed) and `response_format` beside callable tools (a call,
 * or content that satisfies the format), with OpenAI's semantics. Prompts are held token for token to
 * the Qwen3 template; behaviour is shown on scripted models that want something definite: the Llama 3
 * caller always calls `lookup({"key": "abc"})`, the Qwen3 thinker thinks and then answers in prose.
 */
const token = 'gf-test-token-0123456789'
let engine: EngineSupervisor
let api: LocalApi
let openai: OpenAI

const lookupTool: ToolDefinition = {
  name: 'lookup',
  description: 'Looks a key up.',
  parameters: { type: 'object', properties: { key: { type: 'string', maxLength: 8 } }, required: ['key'], additionalProperties: false },
}
const lookup: ChatCompletionTool = { type: 'function', function: { ...lookupTool, strict: true } }
const answerSchema = {
  type: 'object',
  properties: { answer: { type: 'integer' } },
  required: ['answer'],
  additionalProperties: false,
}
const responseFormat = { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema: answerSchema } } as const
const question = { role: 'user' as const, content: 'What is six times seven?' }

/** Content that is exactly one object of `answerSchema`: the whole text parses, no fences, no other keys. */
function expectAnswer(content: string | null | undefined): void {
  const parsed = JSON.parse(content ?? '') as Record<string, unknown>
  expect(Object.keys(parsed)).toEqual(['answer'])
  expect(Number.isInteger(parsed.answer)).toBe(true)
}

beforeAll(async () => {
  requireBuild()
  engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), sequences: 1 })
  await engine.start()
  api = await startLocalApi(engine, () => () => undefined, { host: '127.0.0.1', port: 0, token })
  openai = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: token, maxRetries: 0 })
})
afterAll(async () => {
  await api?.close()
  await engine?.close()
})

/** Loads the model into the engine; returns the id the local API answers to. */
async function serve(path: string): Promise<string> {
  const loaded = await engine.load(path)
  return loaded.fileName.replace(/\.gguf$/, '')
}

describe('tool_choice "none" on the Qwen3 template', () => {
  let model: LlamaModel
  let reference: ReferencePrompt
  const cases = promptCorpus.filter((c) => c.tools !== undefined)

  beforeAll(async () => {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: 1 })
    model = await llama.loadModel({ modelPath: testModel('qwen3') })
    reference = new ReferencePrompt('qwen3')
  }, 120_000)
  afterAll(async () => {
    await model?.dispose()
  })

  /** The engine's rendering of a request whose tools may not be called: listed, no callable functions. */
  function uncallable(tools: ToolDefinition[]) {
    const wrapper = chatWrapperFor(model)
    return { chosen: wrapper, listing: withDocumentedTools(wrapper, tools, toChatFunctions(tools)) }
  }

  it.each(cases.map((c) => [c.name, c] as const))('lists the tools token for token like the template: %s', (_name, c) => {
    const { chosen, listing } = uncallable(c.tools!)
    const history = toChatHistory(c.turns, historyOptionsFor(model, chosen))
    const ours = chatPromptTokens(model, listing, history, undefined, true)
    const expected = reference.tokens(c.turns, c.tools)
    expect(model.detokenize(ours, true)).toBe(reference.decode(expected))
    expect(ours).toEqual(expected)
  })

  it('evaluates exactly those tokens when it generates without functions', async () => {
    const c = cases[0]!
    const { chosen, listing } = uncallable(c.tools!)
    const context = await model.createContext({ contextSize: 2048 })
    try {
      const sequence = context.getSequence()
      const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: listing })
      await chat.generateResponse(toChatHistory(c.turns, historyOptionsFor(model, chosen)), { maxTokens: 1, temperature: 0 })
      const expected = reference.tokens(c.turns, c.tools)
      expect(sequence.contextTokens.slice(0, expected.length)).toEqual(expected)
      expect(sequence.contextTokens.length - expected.length).toBeLessThanOrEqual(1)
      chat.dispose({ disposeSequence: false })
    } finally {
      await context.dispose()
    }
  })

  it('never samples the token that opens a Qwen call', () => {
    const ban = callBan(model, chatWrapperFor(model))
    expect(ban.tokens.map((id) => model.detokenize([id], true))).toEqual(['<tool_call>'])
  })

  it('counts the listed tools in the prompt of a request through the engine', async () => {
    await serve(testModel('qwen3'))
    // Tools offered, and a call with its result: each renders the tool list in its own way.
    for (const c of cases.slice(0, 2)) {
      const result = await engine.generate({
        kind: 'chat',
        turns: c.turns,
        tools: c.tools,
        toolChoice: 'none',
        params: { maxTokens: 4, temperature: 0 },
      })
      expect(result.promptTokens, c.name).toBe(reference.tokens(c.turns, c.tools).length)
      expect(result.toolCalls, c.name).toBeUndefined()
    }
  })
})

describe('a model that wants to call a tool (the scripted Llama 3 caller)', () => {
  let id: string
  beforeAll(async () => {
    id = await serve(scriptedModel('caller'))
  }, 120_000)
  const body = (extra: Partial<ChatCompletionCreateParamsNonStreaming>): ChatCompletionCreateParamsNonStreaming => ({
    model: id,
    messages: [question],
    tools: [lookup],
    max_tokens: 64,
    temperature: 0,
    ...extra,
  })

  it('calls lookup when it may', async () => {
    const completion = await openai.chat.completions.create(body({}))
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.tool_calls?.map((call) => call.type === 'function' && call.function)).toEqual([
      { name: 'lookup', arguments: '{"key": "abc"}' },
    ])
  })

  it('with tool_choice "none" makes no call, and no call syntax reaches the content', async () => {
    const completion = await openai.chat.completions.create(body({ tool_choice: 'none' }))
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe('stop')
    expect(choice.message.tool_calls).toBeUndefined()
    expect(choice.message.content).toBe('')

    const stream = await openai.chat.completions.create({ ...body({ tool_choice: 'none' }), stream: true })
    let content = ''
    let calls = 0
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? ''
      calls += chunk.choices[0]?.delta.tool_calls?.length ?? 0
    }
    expect(calls).toBe(0)
    expect(content).not.toContain('call')
  })

  it('with a response_format beside the tools still calls, through the local API and an AIPG job', async () => {
    const completion = await openai.chat.completions.create(body({ response_format: responseFormat }))
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.content).toBeNull()
    expect(choice.message.tool_calls?.map((call) => call.type === 'function' && call.function)).toEqual([
      { name: 'lookup', arguments: '{"key": "abc"}' },
    ])

    const { result, strikes } = await runAipgJob(engine, { ...body({ response_format: responseFormat }), model: undefined })
    expect(result.problems).toEqual([])
    expect(strikes).toBe(0)
    expect(result.finishReason).toBe('tool_calls')
    expect(result.toolCalls).toEqual([expect.objectContaining({ index: 0, name: 'lookup', arguments: '{"key": "abc"}' })])
    expect(result.text).toBe('')
  })
})

describe('a model that answers in prose (the scripted Qwen3 thinker) with tools and a response_format', () => {
  let id: string
  beforeAll(async () => {
    id = await serve(scriptedModel('thinker'))
  }, 120_000)
  const body = {
    messages: [question],
    tools: [lookup],
    response_format: responseFormat,
    max_tokens: 64,
    temperature: 0,
  } satisfies Omit<ChatCompletionCreateParamsNonStreaming, 'model'>

  it('answers with content that satisfies the format, after its reasoning, with no call', async () => {
    const completion = await openai.chat.completions.create({ ...body, model: id })
    const choice = completion.choices[0]!
    const message = choice.message as typeof choice.message & { reasoning_content?: string }
    expect(choice.finish_reason).toBe('stop')
    expect(message.tool_calls).toBeUndefined()
    expect(message.reasoning_content).toBe('\nLet me think.')
    expectAnswer(message.content)
    // The prose the model began with ("The") was never part of the reply.
    expect(message.content).not.toContain('The')
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(64)
  })

  it('streams the same: reasoning deltas, then content deltas that join into the format', async () => {
    const stream = await openai.chat.completions.create({ ...body, model: id, stream: true })
    let reasoning = ''
    let content = ''
    let finish: string | null = null
    for await (const chunk of stream) {
      const choice = chunk.choices[0]
      if (!choice) continue
      reasoning += (choice.delta as { reasoning_content?: string }).reasoning_content ?? ''
      content += choice.delta.content ?? ''
      expect(choice.delta.tool_calls).toBeUndefined()
      finish = choice.finish_reason ?? finish
    }
    expect(reasoning).toBe('\nLet me think.')
    expectAnswer(content)
    expect(finish).toBe('stop')
  })

  it('answers an AIPG job the same way', async () => {
    const { result, strikes } = await runAipgJob(engine, body)
    expect(result.problems).toEqual([])
    expect(strikes).toBe(0)
    expect(result.toolCalls).toEqual([])
    expect(result.reasoning).toBe('\nLet me think.')
    expectAnswer(result.text)
    expect(result.done).toMatchObject({ finish_reason: 'stop', full_text: result.text, full_reasoning: '\nLet me think.' })
  })
})
