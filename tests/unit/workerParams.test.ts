import { describe, expect, it } from 'vitest'
import { aipgJobToRequest, BadJobRequest, hordeJobToRequest, hordePayloadSchema, openAiRequestSchema } from '../../src/worker/params.js'

const limits = { maxLength: 512, maxContextLength: 2048 }
const horde = (payload: Record<string, unknown>) => hordeJobToRequest(hordePayloadSchema.parse(payload), limits)
const aipg = (request: Record<string, unknown>, fallback?: number) => aipgJobToRequest(openAiRequestSchema.parse(request), fallback, limits)

describe('Horde payload mapping', () => {
  it('maps the samplers and keeps the stop sequence in the text, as the Horde documents', () => {
    const request = horde({
      prompt: 'Hi',
      max_length: 120,
      max_context_length: 1024,
      temperature: 0.7,
      top_p: 0.9,
      top_k: 40,
      min_p: 0.05,
      rep_pen: 1.1,
      rep_pen_range: 256,
      stop_sequence: ['\nYou:'],
      sampler_seed: 42,
    })
    expect(request).toEqual({
      kind: 'completion',
      prompt: 'Hi',
      maxPromptTokens: 1024 - 120,
      params: {
        maxTokens: 120,
        temperature: 0.7,
        topP: 0.9,
        topK: 40,
        minP: 0.05,
        repeatPenalty: 1.1,
        repeatPenaltyRange: 256,
        seed: 42,
        stop: ['\nYou:'],
        stopInText: true,
      },
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
    const request = horde({
      prompt: 'x',
      temperature: -1,
      top_p: 7,
      top_k: 0,
      rep_pen: 0.2,
      mirostat: 2,
      tfs: 'nope',
      typical: { weird: true },
      temperature_last: true,
    })
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
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello' },
            { type: 'image_url', image_url: {} },
          ],
        },
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

  it("refuses a request without a user message as the client's error", () => {
    expect(() => aipg({ messages: [] })).toThrow(BadJobRequest)
    expect(() => aipg({ messages: [{ role: 'user', content: '' }] })).toThrow(BadJobRequest)
    expect(() => aipg({ messages: 'garbage' })).toThrow(BadJobRequest)
  })
})

describe('AIPG tool, format and stop mapping', () => {
  const user = { role: 'user', content: 'Call it' }
  const tool = (name: string, extra: Record<string, unknown> = {}) => ({
    type: 'function',
    function: {
      name,
      description: 'd',
      parameters: { type: 'object', properties: { v: { type: 'string' } }, required: ['v'], additionalProperties: false },
      strict: true,
      ...extra,
    },
  })

  it('maps a validator tool.chain stage 2: assistant tool calls with null content, the tool result, a forced function', () => {
    const request = aipg({
      messages: [
        user,
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_ab', arguments: '{"v":"x"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"value":"42"}' },
      ],
      tools: [tool('lookup_ab'), tool('submit_cd')],
      tool_choice: { type: 'function', function: { name: 'submit_cd' } },
      parallel_tool_calls: false,
    })
    expect(request).toMatchObject({
      kind: 'chat',
      turns: [
        { role: 'user', content: 'Call it' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'lookup_ab', arguments: '{"v":"x"}' }] },
        { role: 'tool', content: '{"value":"42"}', toolCallId: 'call_1' },
      ],
      tools: [
        { name: 'lookup_ab', description: 'd', strict: true, parameters: { type: 'object', required: ['v'] } },
        { name: 'submit_cd', description: 'd', strict: true },
      ],
      toolChoice: { name: 'submit_cd' },
      parallelToolCalls: false,
    })
  })

  it('maps tool_choice strings, reasoning of earlier turns, and response formats', () => {
    expect(aipg({ messages: [user], tools: [tool('f')], tool_choice: 'required' })).toMatchObject({ toolChoice: 'required' })
    expect(aipg({ messages: [user], tools: [tool('f')], tool_choice: 'none' })).toMatchObject({ toolChoice: 'none' })
    expect(aipg({ messages: [user, { role: 'assistant', content: 'A', reasoning_content: 'hmm' }, user] })).toMatchObject({
      turns: [{}, { role: 'assistant', content: 'A', reasoning: 'hmm' }, {}],
    })
    expect(aipg({ messages: [user], response_format: { type: 'json_object' } })).toMatchObject({ responseFormat: { type: 'json_object' } })
    expect(
      aipg({
        messages: [user],
        response_format: { type: 'json_schema', json_schema: { name: 'r', strict: true, schema: { type: 'object' } } },
      }),
    ).toMatchObject({ responseFormat: { type: 'json_schema', name: 'r', strict: true, schema: { type: 'object' } } })
    expect(aipg({ messages: [user], response_format: { type: 'text' } })).not.toHaveProperty('responseFormat')
  })

  it('takes stop as a string or a list, without empty strings, clamped to the first 16', () => {
    expect(aipg({ messages: [user], stop: '<STOP_0123456789>' }).params.stop).toEqual(['<STOP_0123456789>'])
    const many = aipg({ messages: [user], stop: ['', ...Array.from({ length: 1000 }, (_, i) => `s${i}`)] }).params.stop!
    expect(many).toHaveLength(16)
    expect(many[0]).toBe('s0')
  })

  it('reads only text parts of content arrays', () => {
    expect(
      aipg({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'input_audio', input_audio: {} },
              { type: 'text', text: 'b' },
            ],
          },
        ],
      }),
    ).toMatchObject({ turns: [{ role: 'user', content: 'ab' }] })
  })

  it.each([
    [
      'tool_choice naming a function that is not in tools',
      { tools: [tool('f')], tool_choice: { type: 'function', function: { name: 'g' } } },
      /not among the tools/,
    ],
    ['tool_choice of the wrong type', { tools: [tool('f')], tool_choice: 42 }, /tool_choice must be/],
    ['tool_choice required without tools', { tool_choice: 'required' }, /no tools/],
    ['200 tools', { tools: Array.from({ length: 200 }, (_, i) => tool(`f${i}`)) }, /at most 128/],
    ['a 1 MB tool description', { tools: [tool('f', { description: 'x'.repeat(1024 * 1024) })] }, /larger than/],
    ['a tool of another type', { tools: [{ type: 'code_interpreter', function: { name: 'f' } }] }, /only "function" tools/],
    ['a tool name with spaces', { tools: [tool('two words')] }, /names are 1-64/],
    ['an unknown response_format type', { response_format: { type: 'yaml' } }, /response_format must be/],
    [
      'a json_schema format without a schema',
      { response_format: { type: 'json_schema', json_schema: { name: 'x' } } },
      /response_format must be/,
    ],
    ['parallel_tool_calls that is not a boolean', { parallel_tool_calls: 'yes' }, /parallel_tool_calls/],
    ['a tool message without tool_call_id', { messages: [user, { role: 'tool', content: 'r' }] }, /without a tool_call_id/],
    [
      'tool_calls whose arguments are not JSON',
      {
        messages: [
          user,
          { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] },
        ],
      },
      /not valid JSON/,
    ],
  ])("refuses %s as the client's error", (_name, body, message) => {
    expect(() => aipg({ messages: [user], ...body })).toThrow(BadJobRequest)
    expect(() => aipg({ messages: [user], ...body })).toThrow(message)
  })
})
