import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import type { GenerateRequest, GenerateResult } from '../../src/shared/generation.js'
import { scriptedModel } from '../support/gguf/scriptedModels.js'
import { engineEntry, requireBuild, tinyModel } from '../support/paths.js'

/**
 * A draft model must not change a reply: a chat drafted by a model of the same tokenizer (here the story
 * model drafting for itself, which agrees with nearly every greedy token) gives the same text, token for
 * token, as one without, while the draft model really drafts and the target really accepts. (Where two
 * tokens nearly tie, llama.cpp's batched verification can pick the other one: see the README.)
 */
/** A CPU engine whose loads are drafted by what `draft` names at load time (null: none). */
function engine(draft: () => string | null, sequences = 2): EngineSupervisor {
  const env = { ...process.env, GRIDFORGE_GPU: 'off' }
  return new EngineSupervisor({ launch: forkLauncher(engineEntry, env), threads: 1, sequences, draftFor: async () => draft() })
}

function answer(result: GenerateResult) {
  return {
    text: result.text,
    finishReason: result.finishReason,
    completionTokens: result.completionTokens,
    promptTokens: result.promptTokens,
  }
}

function chat(conversationId: string | undefined, content: string, maxTokens: number): GenerateRequest {
  return {
    kind: 'chat',
    ...(conversationId ? { conversationId } : {}),
    turns: [{ role: 'user', content }],
    params: { maxTokens, temperature: 0 },
  }
}

describe('a draft model for chat', () => {
  const drafting = engine(() => tinyModel)
  const plain = engine(() => null)

  beforeAll(async () => {
    requireBuild()
    await Promise.all([drafting.load(tinyModel), plain.load(tinyModel)])
  })
  afterAll(async () => {
    await Promise.all([drafting.close(), plain.close()])
  })

  it('says which model speeds chat up', () => {
    expect(drafting.snapshot().model?.draft).toBe('stories260K.gguf')
    expect(drafting.snapshot().model?.draftNote).toBeUndefined()
    expect(plain.snapshot().model?.draft).toBeUndefined()
  })

  // The gate judges its first window after 8 plain tokens and 16 drafts; 30 tokens end before it, so which
  // tokens were verified in a batch never depends on the machine's speed.
  it('writes the same reply token for token, the drafts accepted', async () => {
    const streamed: string[] = []
    const withDraft = await drafting.generate(chat('c1', 'Once upon a time', 30), { onText: (text) => streamed.push(text) })
    const without = await plain.generate(chat('c1', 'Once upon a time', 30))
    expect(answer(withDraft)).toEqual(answer(without))
    expect(withDraft.finishReason).toBe('length')
    expect(streamed.join('')).toBe(without.text)
    expect(withDraft.prediction?.source).toBe('draft')
    expect(withDraft.prediction!.accepted).toBeGreaterThanOrEqual(5)
    expect(withDraft.prediction!.accepted / withDraft.prediction!.drafted).toBeGreaterThan(0.8)
  })

  it("drafts the conversation's next turn from where the last one ended, with the same reply", async () => {
    const first = await plain.generate(chat('c2', 'Once upon a time', 30))
    const next: GenerateRequest = {
      kind: 'chat',
      conversationId: 'c2',
      turns: [
        { role: 'user', content: 'Once upon a time' },
        { role: 'assistant', content: first.text },
        { role: 'user', content: 'One day' },
      ],
      params: { maxTokens: 30, temperature: 0 },
    }
    await drafting.generate(chat('c2', 'Once upon a time', 30))
    const withDraft = await drafting.generate(next)
    const without = await plain.generate(next)
    expect(answer(withDraft)).toEqual(answer(without))
    expect(withDraft.reusedTokens).toBeGreaterThan(0)
    expect(withDraft.prediction?.source).toBe('draft')
    expect(withDraft.prediction!.accepted).toBeGreaterThanOrEqual(3)
  })

  it('leaves requests that are not a local chat to prompt lookup', async () => {
    const result = await drafting.generate(chat(undefined, 'Once upon a time', 40))
    expect(result.prediction?.source ?? 'lookup').toBe('lookup')
  })
})

describe('a draft model in a chat with reasoning (scripted Qwen3 drafting for itself)', () => {
  let thinker = ''
  const drafting = engine(() => thinker, 1)
  const plain = engine(() => null)

  beforeAll(async () => {
    requireBuild()
    thinker = scriptedModel('thinker')
    await Promise.all([drafting.load(thinker), plain.load(thinker)])
  })
  afterAll(async () => {
    await Promise.all([drafting.close(), plain.close()])
  })

  it("gives the same thoughts and answer through the model's chat template, the drafts accepted", async () => {
    const request = chat('t', 'What is the answer?', 60)
    const withDraft = await drafting.generate(request)
    const without = await plain.generate(request)
    expect({ ...answer(withDraft), reasoning: withDraft.reasoning }).toEqual({ ...answer(without), reasoning: without.reasoning })
    expect(without.text).toBe('The answer is 42!')
    expect(withDraft.prediction?.source).toBe('draft')
    expect(withDraft.prediction!.accepted).toBeGreaterThanOrEqual(2)
  })
})

describe('a draft model with another tokenizer', () => {
  let thinker = ''
  const drafting = engine(() => thinker, 1)

  beforeAll(() => {
    requireBuild()
    thinker = scriptedModel('thinker')
  })
  afterAll(() => drafting.close())

  it('is refused in one sentence, and the model loads and chats without it', async () => {
    const loaded = await drafting.load(tinyModel)
    expect(loaded.draft).toBeUndefined()
    expect(loaded.draftNote).toMatch(
      /^scripted-thinker-\w+\.gguf cannot draft for stories260K\.gguf: their tokenizers differ \(llama and gpt2 tokenizers\)\.$/,
    )
    const result = await drafting.generate(chat('c', 'Once upon a time', 8))
    expect(result.completionTokens).toBe(8)
    expect(result.prediction?.source).not.toBe('draft')
  })
})
