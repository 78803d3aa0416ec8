import { describe, expect, it } from 'vitest'
import { doneFrame, toolCallFrame, wireFinishReason } from '../../src/worker/transports/aipgFrames.js'
import { generateResult } from '../support/workerFakes.js'

describe('AIPG worker frames (§13.2, §16.3)', () => {
  it('maps every finish reason to OpenAI’s, a cancel to stop', () => {
    expect(wireFinishReason('stop', false)).toBe('stop')
    expect(wireFinishReason('length', false)).toBe('length')
    expect(wireFinishReason('tool-calls', false)).toBe('tool_calls')
    expect(wireFinishReason('abort', false)).toBe('stop')
    expect(wireFinishReason('length', true)).toBe('stop')
  })

  it('names a tool call on its first piece only, and gives every piece its index and a non-empty id', () => {
    const first = toolCallFrame('job-1', { index: 2, id: 'call_x', name: 'lookup', argumentsText: '{"q"' }, true)
    const later = toolCallFrame('job-1', { index: 2, id: 'call_x', name: 'lookup', argumentsText: ':1}' }, false)
    expect(first).toEqual({
      type: 'token',
      id: 'job-1',
      finish_reason: null,
      delta: { tool_calls: [{ index: 2, id: 'call_x', type: 'function', function: { name: 'lookup', arguments: '{"q"' } }] },
    })
    expect(later).toEqual({
      type: 'token',
      id: 'job-1',
      finish_reason: null,
      delta: { tool_calls: [{ index: 2, id: 'call_x', function: { arguments: ':1}' } }] },
    })
    const anonymous = toolCallFrame('job-1', { index: 0, id: '', name: 'f', argumentsText: '' }, true)
    expect((anonymous.delta as { tool_calls: Array<{ id: string }> }).tool_calls[0]!.id).not.toBe('')
  })

  it('puts the whole answer in done: text, reasoning, calls, usage, and cancelled only when the grid cancelled', () => {
    const result = generateResult('', {
      reasoning: 'think',
      toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }],
      finishReason: 'tool-calls',
      promptTokens: 9,
      completionTokens: 4,
    })
    expect(doneFrame('job-2', result, false)).toEqual({
      type: 'done',
      id: 'job-2',
      full_text: '',
      full_reasoning: 'think',
      finish_reason: 'tool_calls',
      tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
    })
    expect(doneFrame('job-3', generateResult('Once'), true)).toMatchObject({
      full_text: 'Once',
      full_reasoning: '',
      finish_reason: 'stop',
      cancelled: true,
    })
    expect(doneFrame('job-3', generateResult('Once'), true)).not.toHaveProperty('tool_calls')
  })
})
