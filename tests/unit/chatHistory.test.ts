import type { ChatModelSegment } from 'node-llama-cpp'
import { describe, expect, it } from 'vitest'
import { afterThoughts, toChatFunctions, toChatHistory } from '../../src/main/engine/chatHistory.js'
import { MAX_SCHEMA_DEPTH, toGrammarSchema } from '../../src/main/engine/jsonSchema.js'
import type { ChatTurn } from '../../src/shared/generation.js'

const thinking = { thoughts: true }
const plain = { thoughts: false }

describe('chat turns to node-llama-cpp history', () => {
  it('maps roles and ends with the model response to generate', () => {
    const history = toChatHistory(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Again' },
      ],
      plain,
    )
    expect(history).toEqual([
      { type: 'system', text: 'Be brief.' },
      { type: 'user', text: 'Hi' },
      { type: 'model', response: ['Hello!'] },
      { type: 'user', text: 'Again' },
      { type: 'model', response: [] },
    ])
  })

  it('pairs each tool call with its result and continues that model response after the results', () => {
    const turns: ChatTurn[] = [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
          { id: 'call_b', name: 'weather', arguments: '{"city":"Rome"}' },
        ],
      },
      { role: 'tool', toolCallId: 'call_b', content: '{"c":25}' },
      { role: 'tool', toolCallId: 'call_a', content: 'sunny' },
    ]
    const history = toChatHistory(turns, plain)
    expect(history).toEqual([
      { type: 'user', text: 'Weather in Paris and Rome?' },
      {
        type: 'model',
        response: [
          { type: 'functionCall', name: 'weather', params: { city: 'Paris' }, result: 'sunny', startsNewChunk: true },
          { type: 'functionCall', name: 'weather', params: { city: 'Rome' }, result: { c: 25 } },
        ],
      },
    ])
    const answered = toChatHistory([...turns, { role: 'assistant', content: 'Both are nice.' }, { role: 'user', content: 'Thanks' }], plain)
    expect(answered[1]).toMatchObject({ type: 'model', response: [{ name: 'weather' }, { name: 'weather' }, 'Both are nice.'] })
    expect(answered.slice(2)).toEqual([
      { type: 'user', text: 'Thanks' },
      { type: 'model', response: [] },
    ])
  })

  it('hands earlier reasoning to templates with a thinking segment only', () => {
    const turns: ChatTurn[] = [
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: 'A', reasoning: 'Let me think.' },
      { role: 'user', content: 'Q2' },
    ]
    expect(toChatHistory(turns, thinking)[1]).toEqual({
      type: 'model',
      response: [{ type: 'segment', segmentType: 'thought', text: 'Let me think.', ended: true }, 'A'],
    })
    expect(toChatHistory(turns, plain)[1]).toEqual({ type: 'model', response: ['A'] })
  })

  it('keeps what the client sent where the template prints it as sent: call arguments, result strings, trimmed roles', () => {
    const turns: ChatTurn[] = [
      { role: 'system', content: '  Be brief. ' },
      { role: 'user', content: '  Weather?\n' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' }] },
      { role: 'tool', toolCallId: 'c1', content: '{"t":-3}' },
    ]
    const exact = toChatHistory(turns, {
      thoughts: false,
      trim: new Set(['user']),
      rawToolResults: true,
      rawCall: (name, argumentsText) => [`<${name}>`, argumentsText],
    })
    expect(exact[0]).toEqual({ type: 'system', text: '  Be brief. ' })
    expect(exact[1]).toEqual({ type: 'user', text: 'Weather?' })
    expect(exact[2]).toEqual({
      type: 'model',
      response: [
        {
          type: 'functionCall',
          name: 'weather',
          params: { city: 'Oslo' },
          rawCall: ['<weather>', '{"city":"Oslo"}'],
          result: '{"t":-3}',
          startsNewChunk: true,
        },
      ],
    })
    // Without those options the wrapper gets parsed values to render its own way.
    const parsed = toChatHistory(turns, plain)
    expect(parsed[1]).toEqual({ type: 'user', text: '  Weather?\n' })
    expect(parsed[2]).toMatchObject({ response: [{ params: { city: 'Oslo' }, result: { t: -3 } }] })
    expect(parsed[2]).not.toHaveProperty('response.0.rawCall')
  })

  it('renders a thought the way the template closes it, so that it is dropped with the thought', () => {
    const turns: ChatTurn[] = [
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: 'A', reasoning: 'Hmm.' },
    ]
    const history = toChatHistory(turns, { thoughts: true, thoughtRaw: (text) => ['<think>', text, '</think>\n\n'] })
    expect(history[1]).toEqual({
      type: 'model',
      response: [{ type: 'segment', segmentType: 'thought', text: 'Hmm.', ended: true, raw: ['<think>', 'Hmm.', '</think>\n\n'] }, 'A'],
    })
  })

  it.each([
    [
      'a tool result without a call id',
      [
        { role: 'user', content: 'x' },
        { role: 'tool', content: 'r' },
      ],
      /without a tool_call_id/,
    ],
    [
      'a tool result answering no call',
      [
        { role: 'user', content: 'x' },
        { role: 'tool', toolCallId: 'call_x', content: 'r' },
      ],
      /no earlier assistant message made/,
    ],
    [
      'tool-call arguments that are not JSON',
      [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'f', arguments: '{city: Paris' }] },
      ],
      /not valid JSON/,
    ],
  ])('refuses %s as a bad request', (_name, turns, message) => {
    expect(() => toChatHistory(turns as ChatTurn[], plain)).toThrow(message)
    try {
      toChatHistory(turns as ChatTurn[], plain)
    } catch (error) {
      expect(error).toMatchObject({ code: 'BAD_REQUEST' })
    }
  })
})

describe('tools to node-llama-cpp functions', () => {
  it('keeps descriptions and turns parameters into grammar schemas; no parameters means none', () => {
    const functions = toChatFunctions([
      {
        name: 'record_ab12',
        description: 'Records',
        parameters: {
          type: 'object',
          properties: { n: { type: 'integer' }, tag: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
          required: ['n'],
          additionalProperties: false,
        },
        strict: true,
      },
      { name: 'ping', parameters: { type: 'object', properties: {} } },
    ])
    expect(functions).toEqual({
      record_ab12: {
        description: 'Records',
        params: {
          type: 'object',
          properties: { n: { type: 'integer' }, tag: { oneOf: [{ type: 'string' }, { type: 'null' }] } },
          additionalProperties: false,
        },
      },
      ping: {},
    })
  })

  it('refuses names a grammar cannot hold and duplicates', () => {
    expect(() => toChatFunctions([{ name: 'two words' }])).toThrow(/not 1-64 letters/)
    expect(() => toChatFunctions([{ name: 'f' }, { name: 'f' }])).toThrow(/defined twice/)
  })
})

describe('client JSON schemas to grammar schemas', () => {
  const nested = (depth: number): Record<string, unknown> =>
    depth === 0 ? { type: 'string' } : { type: 'object', properties: { next: nested(depth - 1) } }

  it('inlines local references and reads type lists', () => {
    expect(
      toGrammarSchema(
        {
          $defs: { id: { type: 'string', maxLength: 8 } },
          type: 'object',
          properties: { a: { $ref: '#/$defs/id' }, b: { type: ['integer', 'null'] } },
        },
        'x',
      ),
    ).toEqual({
      type: 'object',
      properties: { a: { type: 'string', maxLength: 8 }, b: { type: ['integer', 'null'] } },
      additionalProperties: false,
    })
  })

  it('treats an object without properties as any object and a bare schema as any value', () => {
    expect(toGrammarSchema({ type: 'object' }, 'x')).toEqual({ type: 'object', properties: {}, additionalProperties: true })
    expect(toGrammarSchema({}, 'x')).toHaveProperty('oneOf')
  })

  it.each([
    ['a $ref loop', { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' }, /recursive/],
    [
      'a recursive tree',
      {
        $defs: { node: { type: 'object', properties: { kids: { type: 'array', items: { $ref: '#/$defs/node' } } } } },
        $ref: '#/$defs/node',
      },
      /recursive/,
    ],
    ['a dangling $ref', { $ref: '#/$defs/missing' }, /does not define/],
    ['a schema nested 100 deep', nested(100), new RegExp(`more than ${MAX_SCHEMA_DEPTH} levels`)],
    ['an unknown type', { type: 'strng' }, /unknown type/],
    ['a schema that is not an object', 'string', /must be a JSON schema object/],
    ['allOf of several schemas', { allOf: [{ type: 'string' }, { type: 'string' }] }, /allOf/],
  ])('refuses %s with one sentence', (_name, schema, message) => {
    expect(() => toGrammarSchema(schema, 'The schema')).toThrow(message)
  })

  it('accepts a schema nested just within the limit', () => {
    expect(() => toGrammarSchema(nested(MAX_SCHEMA_DEPTH), 'x')).not.toThrow()
  })
})

describe('a second attempt at a reply', () => {
  const thought: ChatModelSegment = { type: 'segment', segmentType: 'thought', text: 'Let me think.', ended: true }

  it('continues after the thoughts the first attempt wrote, without its words', () => {
    const history = toChatHistory([{ role: 'user', content: 'Six times seven?' }], thinking)
    expect(afterThoughts(history, [thought, 'The'])).toEqual([
      { type: 'user', text: 'Six times seven?' },
      { type: 'model', response: [thought] },
    ])
    expect(afterThoughts(history, ['The answer'])).toEqual(history)
  })

  it('keeps what the reply already held, such as the calls its tool results answer', () => {
    const history = toChatHistory(
      [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'sunny' },
      ],
      thinking,
    )
    const [model] = afterThoughts(history, [thought]).slice(-1)
    expect(model).toMatchObject({ type: 'model', response: [{ type: 'functionCall', name: 'get', result: 'sunny' }, thought] })
  })
})
