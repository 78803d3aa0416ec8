import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import type { GenerateRequest, GenerateResult } from '../../src/shared/generation.js'
import { scriptedModel, scriptText } from '../support/gguf/scriptedModels.js'
import { engineEntry, requireBuild, tinyModel } from '../support/paths.js'

/**
 * Prompt lookup must never change a grid-exact answer: the same requests through an engine that drafts
 * tokens from the prompt and one that does not (GRIDFORGE_PROMPT_LOOKUP=off) give the same text, token
 * counts and finish reasons, while the drafting engine really drafts and the model really accepts.
 */
function engine(lookup: boolean): EngineSupervisor {
  const env = { ...process.env, GRIDFORGE_GPU: 'off', GRIDFORGE_PROMPT_LOOKUP: lookup ? 'on' : 'off' }
  return new EngineSupervisor({ launch: forkLauncher(engineEntry, env), threads: 1, sequences: 1 })
}

/** What a grid validator compares. */
function answer(result: GenerateResult) {
  return {
    text: result.text,
    reasoning: result.reasoning,
    finishReason: result.finishReason,
    completionTokens: result.completionTokens,
    promptTokens: result.promptTokens,
  }
}

describe('prompt lookup on the story model', () => {
  const drafting = engine(true)
  const plain = engine(false)
  let story = ''

  beforeAll(async () => {
    requireBuild()
    await Promise.all([drafting.load(tinyModel), plain.load(tinyModel)])
    const free = await plain.generate({ kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: 60, temperature: 0 } })
    story = `Once upon a time${free.text}`
  })
  afterAll(async () => {
    await Promise.all([drafting.close(), plain.close()])
  })

  /** Runs `request` on both engines; returns the drafting engine's result once both answers match. */
  async function same(request: GenerateRequest): Promise<GenerateResult> {
    const streamed: string[] = []
    const withLookup = await drafting.generate(request, { onText: (text) => streamed.push(text) })
    const without = await plain.generate(request)
    expect(answer(withLookup)).toEqual(answer(without))
    expect(streamed.join('')).toBe(without.text)
    expect(without.prediction).toBeUndefined()
    return withLookup
  }

  // The gate judges no window before 16 drafts (after 8 plain tokens), so its timing never cuts the first
  // one short: the counts below do not depend on how busy the machine is.
  it('echoes a repeated story token for token, the drafts of the echo accepted', async () => {
    const result = await same({
      kind: 'completion',
      prompt: `${story} ${story} Once upon a time`,
      params: { maxTokens: 80, temperature: 0 },
    })
    expect(result.finishReason).toBe('length')
    expect(result.completionTokens).toBe(80)
    expect(result.prediction!.accepted).toBeGreaterThanOrEqual(5)
  })

  it('ends on the same stop string, kept in the text or not, as without drafting', async () => {
    const prompt = `${story} ${story} Once upon a time`
    const stop = story.slice(40, 46)
    const kept = await same({ kind: 'completion', prompt, params: { maxTokens: 80, temperature: 0, stop: [stop], stopInText: true } })
    expect(kept.finishReason).toBe('stop')
    expect(kept.text.endsWith(stop)).toBe(true)
    const dropped = await same({ kind: 'completion', prompt, params: { maxTokens: 80, temperature: 0, stop: [stop] } })
    expect(dropped.text).toBe(kept.text.slice(0, -stop.length))
  })

  it('stops at max tokens in the middle of an accepted run', async () => {
    const result = await same({
      kind: 'completion',
      prompt: `${story} ${story} Once upon a time`,
      params: { maxTokens: 7, temperature: 0 },
    })
    expect(result.completionTokens).toBe(7)
    expect(result.finishReason).toBe('length')
  })

  it('drafts nothing for a seeded sampled job, whose answer depends on the order of random draws', async () => {
    const result = await same({
      kind: 'completion',
      prompt: `${story} ${story} Once upon a time`,
      params: { maxTokens: 40, temperature: 0.9, seed: 42 },
    })
    expect(result.prediction).toBeUndefined()
  })
})

describe('prompt lookup in a chat with reasoning (scripted Qwen3)', () => {
  const drafting = engine(true)
  const plain = engine(false)

  beforeAll(async () => {
    requireBuild()
    const model = scriptedModel('thinker')
    await Promise.all([drafting.load(model), plain.load(model)])
  })
  afterAll(async () => {
    await Promise.all([drafting.close(), plain.close()])
  })

  it('gives the same thoughts and answer when the user message holds the text the model writes', async () => {
    const request: GenerateRequest = {
      kind: 'chat',
      turns: [{ role: 'user', content: `Repeat after me: ${scriptText('thinker')}` }],
      params: { maxTokens: 60, temperature: 0 },
    }
    const withLookup = await drafting.generate(request)
    const without = await plain.generate(request)
    expect(answer(withLookup)).toEqual(answer(without))
    expect(without.text).toBe('The answer is 42!')
    expect(withLookup.prediction!.accepted).toBeGreaterThanOrEqual(2)
  })
})
