import { join } from 'node:path'
import type Database from 'better-sqlite3'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatService } from '../../src/main/chat/chatService.js'
import type { Engine } from '../../src/main/engine/engine.js'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { startLocalApi, type LocalApi } from '../../src/main/localApi/localApiServer.js'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import type { Message } from '../../src/shared/domain.js'
import type { GenerateRequest, GenerateResult } from '../../src/shared/generation.js'
import { runAipgJob } from '../support/aipgJob.js'
import { ReferencePrompt } from '../support/gguf/referencePrompt.js'
import { scriptedModel } from '../support/gguf/scriptedModels.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

/**
 * A model that thinks by itself: the scripted Qwen3 model (real tokenizer and chat template) writes
 * `<think>`, "\n\nLet me think.\n", `</think>`, "The answer is 42!", `<|im_end|>` after every prompt,
 * the way a Qwen3 model does. Its reasoning goes through the real engine process to every place that
 * shows or sends it: the engine's handlers, an AIPG job on the dev grid, the local API, local chat.
 */
const REASONING = '\nLet me think.'
const ANSWER = 'The answer is 42!'
/** Every token the model writes, `<think>` to `<|im_end|>`. */
const REPLY_TOKENS = 15
const question = { role: 'user' as const, content: 'What is six times seven?' }
const token = 'gf-test-token-0123456789'
const temp = tempDataDir()
let engine: EngineSupervisor
let api: LocalApi
let openai: OpenAI
let modelId: string

beforeAll(async () => {
  requireBuild()
  const path = scriptedModel('thinker')
  engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), sequences: 2 })
  const loaded = await engine.load(path)
  modelId = loaded.fileName.replace(/\.gguf$/, '')
  api = await startLocalApi(engine, () => () => undefined, { host: '127.0.0.1', port: 0, token })
  openai = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: token, maxRetries: 0 })
}, 120_000)
afterAll(async () => {
  await api?.close()
  await engine?.close()
  temp.cleanup()
})

describe('the engine on a model that thinks', () => {
  it('reports the thinking through onReasoning and only the answer through onText', async () => {
    const reasoning: string[] = []
    const text: string[] = []
    const result = await engine.generate(
      { kind: 'chat', turns: [question], params: { maxTokens: 64, temperature: 0 } },
      { onReasoning: (chunk) => reasoning.push(chunk), onText: (chunk) => text.push(chunk) },
    )
    expect(reasoning.join('')).toBe(REASONING)
    expect(text.join('')).toBe(ANSWER)
    expect(result).toMatchObject({ text: ANSWER, reasoning: REASONING, finishReason: 'stop', completionTokens: REPLY_TOKENS })
    for (const chunk of text) expect(chunk).not.toMatch(/think|<\/?think>/)
  })

  it('ends exactly at max_tokens with length, also in the middle of the thinking', async () => {
    const result = await engine.generate({ kind: 'chat', turns: [question], params: { maxTokens: 5, temperature: 0 } })
    // <think>, "\n\n", "Let", " me", " think": five tokens, all reasoning.
    expect(result).toMatchObject({ text: '', reasoning: '\nLet me think', finishReason: 'length', completionTokens: 5 })
  })

  it('stops at a stop string inside a token of the answer, never in the reasoning, and never emits it', async () => {
    const result = await engine.generate({ kind: 'chat', turns: [question], params: { maxTokens: 64, temperature: 0, stop: ['swer'] } })
    expect(result).toMatchObject({ text: 'The an', reasoning: REASONING, finishReason: 'stop' })
    // "think" is in the reasoning only: a stop string matches the content.
    const past = await engine.generate({ kind: 'chat', turns: [question], params: { maxTokens: 64, temperature: 0, stop: ['think'] } })
    expect(past).toMatchObject({ text: ANSWER, reasoning: REASONING, finishReason: 'stop' })
  })
})

describe('an AIPG job on a model that thinks', () => {
  it('streams delta.reasoning_content apart from delta.content and sends full_reasoning and a clean full_text', async () => {
    const { result, ledger } = await runAipgJob(engine, { messages: [question], max_tokens: 64, temperature: 0 })
    expect(result.problems).toEqual([])
    const kinds = result.tokens.map((frame) => Object.keys(frame.delta as object))
    expect(kinds.every((keys) => keys.length === 1)).toBe(true)
    const firstContent = kinds.findIndex(([key]) => key === 'content')
    expect(kinds.slice(0, firstContent).every(([key]) => key === 'reasoning_content')).toBe(true)
    expect(kinds.slice(firstContent).every(([key]) => key === 'content')).toBe(true)
    expect(result.reasoning).toBe(REASONING)
    expect(result.text).toBe(ANSWER)
    expect(result.done).toMatchObject({
      full_text: ANSWER,
      full_reasoning: REASONING,
      finish_reason: 'stop',
      usage: { completion_tokens: REPLY_TOKENS },
    })
    // Recorded when it finished and again when the grid's reward came.
    expect(ledger.map((job) => job.state)).toEqual(['ok', 'ok'])
  })
})

describe('the local API on a model that thinks', () => {
  it('returns reasoning_content beside the content', async () => {
    const completion = await openai.chat.completions.create({ model: modelId, messages: [question], max_tokens: 64, temperature: 0 })
    const message = completion.choices[0]!.message as (typeof completion.choices)[0]['message'] & { reasoning_content?: string }
    expect(message.content).toBe(ANSWER)
    expect(message.reasoning_content).toBe(REASONING)
    expect(completion.choices[0]!.finish_reason).toBe('stop')
    expect(completion.usage!.completion_tokens).toBe(REPLY_TOKENS)
  })

  it('streams delta.reasoning_content before delta.content, never both in one chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: modelId,
      messages: [question],
      max_tokens: 64,
      temperature: 0,
      stream: true,
    })
    let reasoning = ''
    let content = ''
    let finish: string | null = null
    for await (const chunk of stream) {
      const choice = chunk.choices[0]
      if (!choice) continue
      const delta = choice.delta as typeof choice.delta & { reasoning_content?: string }
      if (delta.reasoning_content) {
        expect(delta.content ?? '').toBe('')
        expect(content).toBe('')
        reasoning += delta.reasoning_content
      }
      content += delta.content ?? ''
      finish = choice.finish_reason ?? finish
    }
    expect(reasoning).toBe(REASONING)
    expect(content).toBe(ANSWER)
    expect(finish).toBe('stop')
  })
})

describe('local chat on a model that thinks', () => {
  it('stores the reasoning with its time, and the next prompt holds the answer only, token for token', async () => {
    const dbFile = join(temp.dir, 'gridforge.db')
    const db: Database.Database = openDatabase(dbFile)
    try {
      const calls: Array<{ request: GenerateRequest; result: GenerateResult }> = []
      const recording = new Proxy(engine, {
        get(target, property) {
          if (property === 'generate') {
            return async (request: GenerateRequest, handlers: Parameters<Engine['generate']>[1]) => {
              const result = await target.generate(request, handlers)
              calls.push({ request, result })
              return result
            }
          }
          const value: unknown = Reflect.get(target, property, target)
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
        },
      }) as Engine
      const finished: Message[] = []
      const chat = new ChatService(new ChatRepository(db), recording)
      chat.on('chat.message', (message) => finished.push(message))
      const done = async (id: string) => {
        for (let i = 0; i < 1000 && !finished.some((message) => message.id === id); i++) await new Promise((r) => setTimeout(r, 10))
        return finished.find((message) => message.id === id)!
      }

      const first = chat.send(null, question.content)
      const reply = await done(first.assistantMessage.id)
      expect(reply).toMatchObject({ state: 'complete', content: ANSWER, reasoning: REASONING })
      expect(reply.reasoningMs).toEqual(expect.any(Number))
      const stored = openDatabase(dbFile)
      expect(new ChatRepository(stored).getMessage(reply.id)).toMatchObject({ content: ANSWER, reasoning: REASONING })
      stored.close()

      const second = chat.send(first.conversation.id, 'And seven times six?')
      await done(second.assistantMessage.id)
      const turns = [question, { role: 'assistant' as const, content: ANSWER }, { role: 'user' as const, content: 'And seven times six?' }]
      const sent = calls[1]!.request
      expect(sent.kind === 'chat' ? sent.turns : null).toEqual(turns)
      // The prompt the engine evaluated, counted on its sequence, is the template's rendering of the turns
      // without the thinking; with "<think>…</think>" fed back it would be longer by those tokens.
      const reference = new ReferencePrompt('qwen3')
      expect(reference.text(turns)).not.toContain('Let me think')
      expect(calls[1]!.result.promptTokens).toBe(reference.tokens(turns).length)
    } finally {
      db.close()
    }
  })
})
