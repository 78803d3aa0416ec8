import { describe, expect, it } from 'vitest'
import { openAiBody } from '../../src/worker/bridge/openAiRequest.js'

describe('a job as an OpenAI request body', () => {
  it('carries a tool conversation, the tool choice, parallel calls and a JSON schema the way OpenAI servers read them', () => {
    const { path, body } = openAiBody(
      {
        kind: 'chat',
        turns: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Time in Oslo?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'call_1', name: 'get_time', arguments: '{"city":"Oslo"}' }],
            reasoning: 'I should ask the tool.',
          },
          { role: 'tool', content: '12:00', toolCallId: 'call_1', name: 'get_time' },
        ],
        params: { maxTokens: 64, temperature: 0.2, seed: 7 },
        tools: [{ name: 'get_time', description: 'Clock', parameters: { type: 'object' }, strict: true }],
        toolChoice: { name: 'get_time' },
        parallelToolCalls: false,
        responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
      },
      'qwen3',
      true,
    )
    expect(path).toBe('/chat/completions')
    expect(body).toEqual({
      model: 'qwen3',
      max_tokens: 64,
      temperature: 0.2,
      seed: 7,
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Time in Oslo?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{"city":"Oslo"}' } }],
        },
        { role: 'tool', content: '12:00', tool_call_id: 'call_1', name: 'get_time' },
      ],
      tools: [{ type: 'function', function: { name: 'get_time', description: 'Clock', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
    })
  })

  it('sends a Horde prompt to /completions with the llama.cpp sampler fields it set, and nothing it did not', () => {
    const { path, body } = openAiBody(
      { kind: 'completion', prompt: 'Once', params: { maxTokens: 20, topK: 40, repeatPenalty: 1.1, stop: ['\n'] }, maxPromptTokens: 100 },
      'tiny',
      false,
    )
    expect(path).toBe('/completions')
    expect(body).toEqual({ model: 'tiny', prompt: 'Once', max_tokens: 20, top_k: 40, repeat_penalty: 1.1, stop: ['\n'], stream: false })
  })
})
