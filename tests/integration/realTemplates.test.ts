import { LlamaChat, type Llama, type LlamaModel, type Token } from 'node-llama-cpp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toChatFunctions, toChatHistory } from '../../src/main/engine/chatHistory.js'
import { historyOptionsFor } from '../../src/main/engine/chatTemplateTraits.js'
import { chatWrapperFor } from '../../src/main/engine/chatWrapperChoice.js'
import { withDocumentedTools } from '../../src/main/engine/documentedTools.js'
import type { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { chatPromptTokens } from '../../src/main/engine/promptTokens.js'
import type { FamilyId } from '../support/gguf/families.js'
import { promptCorpus, tokenizerTexts, type PromptCase } from '../support/gguf/promptCorpus.js'
import { ReferencePrompt } from '../support/gguf/referencePrompt.js'
import { testModel } from '../support/gguf/testModels.js'
import { engineBesideLlama } from '../support/engineBesideLlama.js'

/** The wrapper each family's prompts go through, and which of the corpus its template renders. */
const expectations: Record<FamilyId, { wrapper: string; renders: Array<'tools' | 'thinking'> }> = {
  // Qwen3's template renders tools, tool calls and results, and <think> segments.
  qwen3: { wrapper: 'Qwen', renders: ['tools', 'thinking'] },
  // The Llama 3.1 tokenizer package ships Llama 3's template (no tools): node-llama-cpp's Llama 3 wrapper.
  llama3_1: { wrapper: 'Llama 3', renders: ['thinking'] },
  // GemmaChatWrapper joins a system prompt to the first user message with "\n\n---\n\n", Gemma 3's template with
  // "\n\n": the engine renders Gemma 3 through its own template.
  gemma3: { wrapper: 'JinjaTemplate', renders: ['thinking'] },
}

const families = Object.keys(expectations) as FamilyId[]
let llama: Llama
let engine: EngineSupervisor

beforeAll(async () => ({ engine, llama } = await engineBesideLlama()))
afterAll(() => engine?.close())

function casesFor(id: FamilyId): PromptCase[] {
  return promptCorpus.filter((c) => c.needs === undefined || expectations[id].renders.includes(c.needs))
}

describe.each(families)('the %s test model (real tokenizer and chat template)', (id) => {
  let path: string
  let model: LlamaModel
  let reference: ReferencePrompt

  beforeAll(async () => {
    path = testModel(id)
    model = await llama.loadModel({ modelPath: path })
    reference = new ReferencePrompt(id)
  }, 120_000)
  afterAll(async () => {
    await model?.dispose()
  })

  // The way the engine renders a chat request (llamaRuntime's chat()), with every tool callable.
  function ourTokens(c: PromptCase): Token[] {
    const wrapper = chatWrapperFor(model)
    const history = toChatHistory(c.turns, historyOptionsFor(model, wrapper))
    const tools = c.tools ?? []
    return chatPromptTokens(
      model,
      withDocumentedTools(wrapper, tools),
      history,
      tools.length > 0 ? toChatFunctions(tools) : undefined,
      true,
    )
  }

  it('loads in the engine process with its chat template', async () => {
    const loaded = await engine.load(path)
    expect(loaded).toMatchObject({ hasChatTemplate: true, architecture: { qwen3: 'qwen3', llama3_1: 'llama', gemma3: 'gemma3' }[id] })
  })

  it(`renders through the ${expectations[id].wrapper} chat wrapper`, () => {
    expect(chatWrapperFor(model).wrapperName).toBe(expectations[id].wrapper)
  })

  it('tokenizes text exactly like the real tokenizer', () => {
    for (const text of tokenizerTexts) expect([...model.tokenize(text, false)], JSON.stringify(text)).toEqual(reference.encode(text))
  })

  it.each(casesFor(id).map((c) => [c.name, c] as const))('prompts token for token like the template: %s', (_name, c) => {
    const ours = ourTokens(c)
    const expected = reference.tokens(c.turns, c.tools)
    // The texts first: a difference there is readable; then the tokens, which are what the model sees.
    expect(model.detokenize(ours, true)).toBe(reference.decode(expected))
    expect(ours).toEqual(expected)
  })

  it('evaluates exactly those tokens when it generates', async () => {
    const c = casesFor(id).find((entry) => entry.name === 'a system prompt and several turns')!
    const context = await model.createContext({ contextSize: 1024 })
    try {
      const sequence = context.getSequence()
      const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: chatWrapperFor(model) })
      const history = toChatHistory(c.turns, historyOptionsFor(model, chatWrapperFor(model)))
      await chat.generateResponse(history, { maxTokens: 1, temperature: 0 })
      const expected = reference.tokens(c.turns)
      expect(sequence.contextTokens.slice(0, expected.length)).toEqual(expected)
      expect(sequence.contextTokens.length - expected.length).toBeLessThanOrEqual(1)
      chat.dispose({ disposeSequence: false })
    } finally {
      await context.dispose()
    }
  })

  it('counts the same prompt tokens through the engine', async () => {
    await engine.load(path)
    for (const c of casesFor(id).filter((entry) => entry.tools === undefined && entry.turns.every((turn) => !turn.reasoning))) {
      const expected = reference.tokens(c.turns).length
      const result = await engine.generate({ kind: 'chat', turns: c.turns, params: { maxTokens: 1, temperature: 0 } })
      expect(result.promptTokens, c.name).toBe(expected)
      // A local conversation is counted from its sequence after the generation, not rendered up front.
      const conversation = await engine.generate({
        kind: 'chat',
        conversationId: `count-${id}-${c.name}`,
        turns: c.turns,
        params: { maxTokens: 3, temperature: 0 },
      })
      expect(conversation.promptTokens, `${c.name} (conversation)`).toBe(expected)
    }
  })
})
