import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LlamaRuntime } from '../../src/main/engine/llamaRuntime.js'
import type { GenerateRequest } from '../../src/shared/generation.js'
import { tinyModel } from '../support/paths.js'

const silent = { text() {}, reasoning() {}, toolCall() {}, progress() {} }
const never = new AbortController().signal

let runtime: LlamaRuntime

beforeAll(async () => {
  runtime = await LlamaRuntime.create(false)
})
afterAll(async () => {
  await runtime?.unload()
})

describe('the context a load is sized to (story model, trained on 2,048 tokens)', () => {
  it('holds what a worker advertises, padded up as llama.cpp pads it, and no more', async () => {
    const info = await runtime.load(tinyModel, 1, 2, () => {}, 300)
    expect(info.contextSize).toBe(512)
  })

  it('answers a grid job longer than the sized context with the same clear sentence, and then serves the next', async () => {
    await runtime.load(tinyModel, 1, 2, () => {}, 300)
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ')
    const job: GenerateRequest = { kind: 'chat', turns: [{ role: 'user', content: long }], params: { maxTokens: 16, temperature: 0 } }
    await expect(runtime.generate(job, silent, never)).rejects.toThrow(
      /^The request needs about \d+ tokens of context; the loaded model holds 512\.$/,
    )
    const short = await runtime.generate({ ...job, turns: [{ role: 'user', content: 'Once upon a time' }] }, silent, never)
    expect(short.completionTokens).toBeGreaterThan(0)
  })

  it('keeps the chat default when nothing asks for a size, capped by what the model was trained on', async () => {
    expect((await runtime.load(tinyModel, 1, 1, () => {})).contextSize).toBe(2048)
    expect((await runtime.load(tinyModel, 1, 1, () => {}, 100_000)).contextSize).toBe(2048)
  })
})
