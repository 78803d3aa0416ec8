import { describe, expect, it } from 'vitest'
import { GenerationStream } from '../../src/main/engine/generationStream.js'
import type { ToolCallDelta } from '../../src/shared/generation.js'

function recorder() {
  const events: string[] = []
  const deltas: ToolCallDelta[] = []
  return {
    events,
    deltas,
    sink: {
      text: (text: string) => events.push(`text:${text}`),
      reasoning: (text: string) => events.push(`reasoning:${text}`),
      toolCall: (delta: ToolCallDelta) => {
        deltas.push(delta)
        events.push(`call:${delta.index}:${delta.argumentsText}`)
      },
    },
  }
}

describe("one generation's stream", () => {
  it('keeps reasoning out of the content', () => {
    const { sink, events } = recorder()
    const stream = new GenerationStream(sink, undefined, false, () => undefined)
    stream.reasoning('Let me think.')
    stream.text('42')
    expect(stream.finish([])).toEqual({ text: '42', reasoning: 'Let me think.', toolCalls: [] })
    expect(events).toEqual(['reasoning:Let me think.', 'text:42'])
  })

  it('ends at a stop string, calls back once, and ignores what follows', () => {
    const { sink, events } = recorder()
    let stops = 0
    const stream = new GenerationStream(sink, ['<STOP>'], false, () => stops++)
    stream.text('abc<ST')
    stream.text('OP>def')
    stream.text('more')
    expect(stops).toBe(1)
    expect(stream.stopped).toBe(true)
    expect(stream.finish([]).text).toBe('abc')
    expect(events).toEqual(['text:abc'])
  })

  it("gives each call a stable id and drops the grammar's closing newlines from its arguments", () => {
    const { sink, deltas } = recorder()
    const stream = new GenerationStream(sink, undefined, false, () => undefined)
    for (const chunk of ['{"a":', ' 1', '}', '\n', '\n\n\n']) stream.toolCallChunk(0, 'f', chunk)
    for (const chunk of ['{\n', '"b": 2}', '\n\n\n\n']) stream.toolCallChunk(1, 'g', chunk)
    const { toolCalls } = stream.finish([{ name: 'f' }, { name: 'g' }])
    expect(toolCalls.map((call) => call.arguments)).toEqual(['{"a": 1}', '{\n"b": 2}'])
    for (const call of toolCalls) {
      expect(call.id).toMatch(/^call_[0-9a-f]{24}$/)
      expect(
        deltas
          .filter((d) => d.id === call.id)
          .map((d) => d.argumentsText)
          .join(''),
      ).toBe(call.arguments)
    }
    expect(new Set(toolCalls.map((call) => call.id)).size).toBe(2)
  })

  it('streams {} for a call without parameters', () => {
    const { sink, deltas } = recorder()
    const stream = new GenerationStream(sink, undefined, false, () => undefined)
    const { toolCalls } = stream.finish([{ name: 'ping' }])
    expect(toolCalls).toEqual([{ id: expect.stringMatching(/^call_/), name: 'ping', arguments: '{}' }])
    expect(deltas.map((d) => d.argumentsText).join('')).toBe('{}')
  })
})
