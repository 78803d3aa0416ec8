import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/result.js'
import type { GenerationEngine } from '../../src/worker/ports.js'
import { runAipgJob } from '../support/aipgJob.js'
import { generateResult } from '../support/workerFakes.js'

/** One job through the worker on the real dev grid socket, with an engine that answers as a tool-calling, thinking model would. */
const runOne = (engine: GenerationEngine) =>
  runAipgJob(
    engine,
    { messages: [{ role: 'user', content: 'What tea is there?' }], max_tokens: 64 },
    { maxLength: 64, maxContextLength: 1024 },
  )

describe('grid-exact output on the AIPG socket (§16.3)', () => {
  it('streams reasoning, content and tool calls as OpenAI deltas, and ends with tool_calls', async () => {
    const engine: GenerationEngine = {
      generate: async (_request, { onReasoning, onText, onToolCall }) => {
        onReasoning?.('They want tea', 1)
        onReasoning?.(' options.', 2)
        onText?.('Checking.', 3)
        onToolCall?.({ index: 0, id: 'call_tea', name: 'lookup', argumentsText: '' }, 4)
        onToolCall?.({ index: 0, id: 'call_tea', name: 'lookup', argumentsText: '{"q":' }, 5)
        onToolCall?.({ index: 1, id: 'call_time', name: 'clock', argumentsText: '{}' }, 6)
        onToolCall?.({ index: 0, id: 'call_tea', name: 'lookup', argumentsText: '"tea"}' }, 7)
        return generateResult('Checking.', {
          reasoning: 'They want tea options.',
          toolCalls: [
            { id: 'call_tea', name: 'lookup', arguments: '{"q":"tea"}' },
            { id: 'call_time', name: 'clock', arguments: '{}' },
          ],
          finishReason: 'tool-calls',
          completionTokens: 7,
        })
      },
    }
    const { result, exit, ledger, id } = await runOne(engine)
    expect(exit).toMatchObject({ reason: 'max-jobs' })
    expect(result.problems).toEqual([])
    expect(result.reasoning).toBe('They want tea options.')
    expect(result.text).toBe('Checking.')
    expect(result.toolCalls).toEqual([
      { index: 0, id: 'call_tea', name: 'lookup', arguments: '{"q":"tea"}' },
      { index: 1, id: 'call_time', name: 'clock', arguments: '{}' },
    ])
    expect(result.finishReason).toBe('tool_calls')
    expect(result.tokens.map((frame) => Object.keys(frame.delta as object)[0])).toEqual([
      'reasoning_content',
      'reasoning_content',
      'content',
      'tool_calls',
      'tool_calls',
      'tool_calls',
      'tool_calls',
    ])
    expect(result.tokens[3]!.delta).toEqual({
      tool_calls: [{ index: 0, id: 'call_tea', type: 'function', function: { name: 'lookup', arguments: '' } }],
    })
    expect(result.done).toMatchObject({
      id,
      full_text: 'Checking.',
      full_reasoning: 'They want tea options.',
      finish_reason: 'tool_calls',
      tool_calls: [
        { index: 0, id: 'call_tea', type: 'function', function: { name: 'lookup', arguments: '{"q":"tea"}' } },
        { index: 1, id: 'call_time', type: 'function', function: { name: 'clock', arguments: '{}' } },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    })
    expect(result.done).not.toHaveProperty('cancelled')
    expect(ledger.map((job) => job.state)).toEqual(['ok', 'ok'])
  })

  it('ends a reply cut by max_tokens with length', async () => {
    const engine: GenerationEngine = {
      generate: async (_request, { onText }) => {
        onText?.('tea tea tea', 3)
        return generateResult('tea tea tea', { finishReason: 'length' })
      },
    }
    const { result } = await runOne(engine)
    expect(result.finishReason).toBe('length')
    expect(result.done).toMatchObject({ finish_reason: 'length', full_reasoning: '' })
    expect(result.done).not.toHaveProperty('tool_calls')
  })

  it('answers a request the engine cannot serve with client_error: no strike, no requeue', async () => {
    const engine: GenerationEngine = {
      generate: () => Promise.reject(new AppError('BAD_REQUEST', 'The conversation is longer than this worker’s context.')),
    }
    const { result, ledger, strikes } = await runOne(engine)
    expect(result.error).toMatchObject({
      type: 'error',
      client_error: true,
      message: 'The conversation is longer than this worker’s context.',
    })
    expect(result.attempts).toBe(1)
    expect(strikes).toBe(0)
    expect(ledger).toEqual([expect.objectContaining({ state: 'error', reward: 0 })])
  })

  it('answers an engine failure with an error the grid counts against the worker', async () => {
    const engine: GenerationEngine = { generate: () => Promise.reject(new Error('the GPU fell over')) }
    const { id, aipg } = await runOne(engine)
    // The grid requeues a job that failed before streaming anything, so its result is the next attempt's: read the frame.
    const errors = aipg.frames.filter(({ frame }) => frame.type === 'error').map(({ frame }) => frame)
    expect(errors).toEqual([{ type: 'error', id, client_error: false, message: 'Generation failed: the GPU fell over' }])
    expect([...aipg.strikes.values()]).toEqual([1])
  })
})
