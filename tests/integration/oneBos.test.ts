import { LlamaCompletion, type Llama, type LlamaModel, type Token } from 'node-llama-cpp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { completionPromptTokens } from '../../src/main/engine/promptTokens.js'
import { testModel } from '../support/gguf/testModels.js'
import { tinyModel } from '../support/paths.js'
import { engineBesideLlama } from '../support/engineBesideLlama.js'

const params = { maxTokens: 48, temperature: 0 }

/**
 * The template-less story model (SentencePiece, BOS), Llama 3.1 (byte-level BPE, BOS) and Qwen3 (no BOS),
 * each with a prompt whose greedy continuation changes when a second BOS goes in front of it.
 */
const models: Array<[string, () => string, number, string]> = [
  ['stories260K', () => tinyModel, 1, 'Hello'],
  ['llama3_1', () => testModel('llama3_1'), 1, 'Once upon a time'],
  ['qwen3', () => testModel('qwen3'), 0, 'Once upon a time'],
]

let llama: Llama
let engine: EngineSupervisor

beforeAll(async () => ({ engine, llama } = await engineBesideLlama()))
afterAll(() => engine?.close())

function bosCount(model: LlamaModel, tokens: readonly Token[]): number {
  return tokens.filter((token) => token === model.tokens.bos).length
}

/** What llama.cpp continues the prompt's tokens with: LlamaCompletion adds the model's BOS once, in front of them. */
async function directCompletion(model: LlamaModel, input: Token[]): Promise<{ text: string; evaluated: Token[] }> {
  const context = await model.createContext({ contextSize: 512 })
  try {
    const sequence = context.getSequence()
    const completion = new LlamaCompletion({ contextSequence: sequence })
    const text = await completion.generateCompletion(input, params)
    return { text, evaluated: [...sequence.contextTokens] }
  } finally {
    await context.dispose()
  }
}

describe.each(models)('completion prompts on %s start with exactly the model’s own beginning token', (_name, pathOf, bos, prompt) => {
  let path: string
  let model: LlamaModel

  beforeAll(async () => {
    path = pathOf()
    model = await llama.loadModel({ modelPath: path })
  }, 120_000)
  afterAll(async () => {
    await model?.dispose()
  })

  it(`evaluates ${bos} BOS before the prompt's tokens`, async () => {
    const textTokens = model.tokenize(prompt)
    const expected = completionPromptTokens(model, textTokens)
    expect(bosCount(model, expected)).toBe(bos)
    const { evaluated } = await directCompletion(model, textTokens)
    expect(evaluated.slice(0, expected.length)).toEqual(expected)
    expect(bosCount(model, evaluated.slice(0, expected.length))).toBe(bos)
  })

  it('continues a raw prompt through the engine exactly as llama.cpp does, and counts the BOS', async () => {
    await engine.load(path)
    const result = await engine.generate({ kind: 'completion', prompt, params })
    const direct = await directCompletion(model, model.tokenize(prompt))
    expect(result.text).toBe(direct.text)
    expect(result.promptTokens).toBe(completionPromptTokens(model, model.tokenize(prompt)).length)
  })
})

describe('template-less chat', () => {
  it('continues the conversation as one BOS and the text', async () => {
    const prompt = 'Hello'
    await engine.load(tinyModel)
    const model = await llama.loadModel({ modelPath: tinyModel })
    try {
      const result = await engine.generate({ kind: 'chat', turns: [{ role: 'user', content: prompt }], params })
      expect(result.text).toBe((await directCompletion(model, model.tokenize(prompt))).text)
      expect(result.promptTokens).toBe(model.tokenize(prompt).length + 1)
    } finally {
      await model.dispose()
    }
  })
})
