import { describe, expect, it } from 'vitest'
import { aipgJobToRequest, BadJobRequest, hordeJobToRequest, hordePayloadSchema, openAiRequestSchema } from '../../src/worker/params.js'

const limits = { maxLength: 512, maxContextLength: 2048 }
const horde = (payload: Record<string, unknown>) => hordeJobToRequest(hordePayloadSchema.parse(payload), limits)
const aipg = (request: Record<string, unknown>, fallback?: number) => aipgJobToRequest(openAiRequestSchema.parse(request), fallback, limits)

describe('Horde payload mapping', () => {
  it('maps the samplers and keeps the stop sequence in the text, as the Horde documents', () => {
    const request = horde({ prompt: 'Hi', max_length: 120, max_context_length: 1024, temperature: 0.7, top_p: 0.9, top_k: 40, min_p: 0.05, rep_pen: 1.1, rep_pen_range: 256, stop_sequence: ['\nYou:'], sampler_seed: 42 })
    expect(request).toEqual({
      kind: 'completion',
      prompt: 'Hi',
      maxPromptTokens: 1024 - 120,
      params: { maxTokens: 120, temperature: 0.7, topP: 0.9, topK: 40, minP: 0.05, repeatPenalty: 1.1, repeatPenaltyRange: 256, seed: 42, stop: ['\nYou:'], stopInText: true },
    })
  })

  it('never generates more than advertised, whatever the job asks', () => {
    expect(horde({ prompt: 'x', max_length: 100_000 }).params.maxTokens).toBe(512)
    expect(horde({ prompt: 'x', max_length: -5 }).params.maxTokens).toBe(1)
  })

  it('cuts the prompt to the context the requester asked for, within ours', () => {
    expect(horde({ prompt: 'x', max_length: 100, max_context_length: 1_000_000 })).toMatchObject({ maxPromptTokens: 2048 - 100 })
  })

  it('clamps out-of-range values and ignores unknown or garbage sampler keys', () => {
    const request = horde({ prompt: 'x', temperature: -1, top_p: 7, top_k: 0, rep_pen: 0.2, mirostat: 2, tfs: 'nope', typical: { weird: true }, temperature_last: true })
    expect(request.params).toMatchObject({ temperature: 0, topP: 1, topK: undefined, repeatPenalty: 1 })
    expect(Object.keys(request.params)).not.toContain('mirostat')
  })

  it('treats a missing or non-text prompt as empty rather than failing the job', () => {
    expect(horde({ prompt: 42 })).toMatchObject({ prompt: '' })
    expect(horde({})).toMatchObject({ prompt: '', params: { maxTokens: 80 } })
  })
})

describe('AIPG request mapping', () => {
  it('maps an OpenAI chat body to a chat through the model template', () => {
    const request = aipg({
      model: 'grid/x',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'image_url', image_url: {} }] },
        { role: 'assistant', content: 'Hi!' },
        { role: 'user', content: 'Tell a story' },
      ],
      max_tokens: 64,
      temperature: 0.2,
      stop: 'END',
      seed: 7,
    })
    expect(request).toEqual({
      kind: 'chat',
      turns: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi!' },
        { role: 'user', content: 'Tell a story' },
      ],
      params: { maxTokens: 64, temperature: 0.2, topP: undefined, seed: 7, stop: ['END'] },
    })
  })

  it('uses the payload max_length when the body has no max_tokens, clamped to what we advertise', () => {
    expect(aipg({ messages: [{ role: 'user', content: 'x' }] }, 300).params.maxTokens).toBe(300)
    expect(aipg({ messages: [{ role: 'user', content: 'x' }], max_tokens: 10 ** 9 }).params.maxTokens).toBe(512)
    expect(aipg({ messages: [{ role: 'user', content: 'x' }], temperature: -3 }).params.temperature).toBe(0)
  })

  it('refuses a request without a user message as the client\'s error', () => {
    expect(() => aipg({ messages: [] })).toThrow(BadJobRequest)
    expect(() => aipg({ messages: [{ role: 'user', content: '' }] })).toThrow(BadJobRequest)
    expect(() => aipg({ messages: 'garbage' })).toThrow(BadJobRequest)
  })
})
