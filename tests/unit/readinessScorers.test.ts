import { describe, expect, it } from 'vitest'
import type { ReadinessFamily } from '../../src/shared/readiness.js'
import type { Canary, ProbeAnswer } from '../../src/worker/readiness/canary.js'
import { planProbes } from '../../src/worker/readiness/families.js'
import { codeAnswer, rightAnswer } from '../support/readinessOracle.js'

/** The probes of one run; context probes are planned for a worker advertising 64K. */
function canaryOf(family: ReadinessFamily, seed = 7): Canary {
  const probe = planProbes(seed, 65_536).find((p) => p.family === family)!
  if (!('canary' in probe)) throw new Error(`${family} was skipped`)
  return probe.canary
}

const text = (content: string | null, extra: Partial<ProbeAnswer> = {}): ProbeAnswer => ({
  content,
  finish_reason: 'stop',
  completion_tokens: 5,
  ...extra,
})
const verdict = (canary: Canary, answers: ProbeAnswer[]) => canary.score(answers)
const right = (canary: Canary) => rightAnswer(canary, canary.body)
const withContent = (canary: Canary, change: (content: string) => string) => text(change(right(canary).content!))

describe('readiness probes', () => {
  it("are the validators' bodies: one user message, 512 tokens, temperature 0, streamed", () => {
    for (const probe of planProbes(1, 65_536)) {
      if (!('canary' in probe)) continue
      const { body } = probe.canary
      expect(body).toMatchObject({ messages: [{ role: 'user' }], temperature: 0, stream: true })
      expect(body.max_tokens).toBe(probe.family === 'token.limit' ? body.max_tokens : 512)
    }
  })

  it('are the same for the same seed and differ for another', () => {
    const bodies = (seed: number) => planProbes(seed, 65_536).map((p) => ('canary' in p ? JSON.stringify(p.canary.body) : p.skipped))
    expect(bodies(99)).toEqual(bodies(99))
    const other = bodies(100)
    expect(bodies(99).filter((body, i) => body !== other[i]).length).toBeGreaterThanOrEqual(10)
  })

  it('send context probes only where the validators do (advertised 8,192 / 32,768 / 65,536)', () => {
    const sent = (context: number) =>
      planProbes(1, context)
        .filter((p) => p.family.startsWith('context.') && 'canary' in p)
        .map((p) => p.family)
    expect(sent(4096)).toEqual([])
    expect(sent(8192)).toEqual(['context.retrieve'])
    expect(sent(32_768)).toEqual(['context.retrieve', 'context.retrieve.16k'])
    expect(sent(65_536)).toEqual(['context.retrieve', 'context.retrieve.16k', 'context.retrieve.32k'])
  })

  it('ask context.retrieve over 100 / 400 / 800 records', () => {
    const records = (family: ReadinessFamily) =>
      (canaryOf(family).body.messages[0]!.content as string).split('\n').filter((l) => l.startsWith('key=')).length
    expect([records('context.retrieve'), records('context.retrieve.16k'), records('context.retrieve.32k')]).toEqual([100, 400, 800])
  })
})

describe('readiness scorers', () => {
  it.each([
    'echo',
    'math.add',
    'math.mul',
    'json.object',
    'logic.steps',
    'code.function',
    'tool.call',
    'stop.sequence',
    'token.limit',
    'context.retrieve',
    'context.retrieve.16k',
    'context.retrieve.32k',
  ] as const)('%s passes the right answer and fails an empty one', (family) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const canary = canaryOf(family, seed)
      expect(verdict(canary, [right(canary)])).toEqual({ pass: true })
      expect(verdict(canary, [text('')]).pass).toBe(false)
    }
  })

  it('echo tolerates quotes, backticks and a <think> block, not extra text or another token', () => {
    const canary = canaryOf('echo')
    for (const wrap of [
      (t: string) => `"${t}"`,
      (t: string) => `\`${t}\``,
      (t: string) => `<think>It wants the token.</think>\n${t}`,
      (t: string) => ` ${t}\n`,
    ]) {
      expect(verdict(canary, [withContent(canary, wrap)])).toEqual({ pass: true })
    }
    expect(verdict(canary, [withContent(canary, (t) => `${t} done`)])).toMatchObject({
      pass: false,
      reason: 'the answer has more than the token',
    })
    expect(verdict(canary, [withContent(canary, (t) => t.replace(/.$/, (c) => (c === '0' ? '1' : '0')))]).pass).toBe(false)
    expect(verdict(canary, [withContent(canary, (t) => t.toUpperCase())]).pass).toBe(false)
  })

  it('math wants exactly one integer, the right one', () => {
    for (const family of ['math.add', 'math.mul'] as const) {
      const canary = canaryOf(family)
      const answer = Number(right(canary).content)
      expect(verdict(canary, [text(`The answer is ${answer}.`)])).toEqual({ pass: true })
      expect(verdict(canary, [text(String(answer + 1))])).toMatchObject({
        pass: false,
        reason: `answered ${answer + 1}, expected ${answer}`,
      })
      expect(verdict(canary, [text(`${(canary.body.messages[0]!.content as string).match(/\d+/)![0]} and ${answer}`)])).toMatchObject({
        pass: false,
        reason: 'the answer has 2 integers, not one',
      })
      expect(verdict(canary, [text('I cannot do arithmetic.')])).toMatchObject({ pass: false, reason: 'the answer has no integer' })
    }
  })

  it('json.object wants the whole answer to be the object: fences, extra text or a wrong value fail', () => {
    const canary = canaryOf('json.object')
    const json = right(canary).content!
    const object = JSON.parse(json) as Record<string, unknown>
    expect(verdict(canary, [text(JSON.stringify({ id: object.id, active: object.active, code: object.code }, null, 2))])).toEqual({
      pass: true,
    })
    expect(verdict(canary, [text('```json\n' + json + '\n```')])).toMatchObject({
      pass: false,
      reason: 'the whole answer is not one JSON object',
    })
    expect(verdict(canary, [text(`Here it is: ${json}`)]).pass).toBe(false)
    expect(verdict(canary, [text(JSON.stringify({ ...object, id: String(object.id) }))]).pass).toBe(false)
    expect(verdict(canary, [text(JSON.stringify({ ...object, extra: 1 }))]).pass).toBe(false)
    expect(verdict(canary, [text(`[${json}]`)]).pass).toBe(false)
  })

  it('logic.steps fails a wrong integer', () => {
    const canary = canaryOf('logic.steps')
    const answer = Number(right(canary).content)
    expect(verdict(canary, [text(String(answer - 1))]).pass).toBe(false)
  })

  it('code.function evaluates the function on hidden inputs and fails it wrong on one of them', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const canary = canaryOf('code.function', seed)
      const { name, expression } = codeAnswer(canary.body)
      const def = (body: string) => text(`def ${name}(x):\n${body}\n`)
      expect(verdict(canary, [def(`    result = ${expression}\n    return result`)])).toEqual({ pass: true })
      expect(verdict(canary, [def(`    if x == 0:\n        return 12345\n    return ${expression}`)])).toMatchObject({
        pass: false,
        reason: expect.stringMatching(/^wrong on a hidden input \(0 gave 12345/),
      })
    }
    const canary = canaryOf('code.function')
    const { name, expression } = codeAnswer(canary.body)
    const good = `def ${name}(x):\n    return ${expression}`
    expect(verdict(canary, [text('```python\n' + good + '\n```')])).toMatchObject({
      pass: false,
      reason: expect.stringMatching(/^not evaluable/),
    })
    expect(verdict(canary, [text(`Here is the function:\n${good}`)]).pass).toBe(false)
    expect(verdict(canary, [text(`import os\n${good}`)]).pass).toBe(false)
    expect(verdict(canary, [text(good.replace(name, 'transform_00000000'))])).toMatchObject({
      pass: false,
      reason: `the function is named transform_00000000, not ${name}`,
    })
    expect(verdict(canary, [text(`def ${name}(x):\n    return eval("${expression}")`)]).pass).toBe(false)
  })

  it('tool.call wants exactly one call with the exact arguments and no text', () => {
    const canary = canaryOf('tool.call')
    const answer = right(canary)
    const call = answer.tool_calls![0]!
    const args = JSON.parse(call.function.arguments) as Record<string, unknown>
    const withCall = (change: Partial<typeof call.function>, extra: Partial<ProbeAnswer> = {}) => ({
      ...answer,
      tool_calls: [{ ...call, function: { ...call.function, ...change } }],
      ...extra,
    })
    expect(verdict(canary, [withCall({ arguments: JSON.stringify({ code: args.code, count: args.count }) })])).toEqual({ pass: true })
    expect(verdict(canary, [withCall({}, { content: '<think>Calling it.</think>' })])).toEqual({ pass: true })
    expect(verdict(canary, [withCall({}, { content: 'Sure, calling it now.' })])).toMatchObject({
      pass: false,
      reason: 'there is text beside the call',
    })
    expect(verdict(canary, [{ ...answer, tool_calls: [call, { ...call, id: 'call_2' }] }])).toMatchObject({
      pass: false,
      reason: '2 calls instead of one',
    })
    expect(verdict(canary, [withCall({ name: 'record_other' })]).pass).toBe(false)
    expect(verdict(canary, [withCall({ arguments: JSON.stringify({ ...args, count: Number(args.count) + 1 }) })])).toMatchObject({
      pass: false,
      reason: 'the arguments are not the ones asked for',
    })
    expect(verdict(canary, [withCall({ arguments: JSON.stringify({ ...args, note: 'x' }) })]).pass).toBe(false)
    expect(verdict(canary, [withCall({ arguments: '{"code": ' })])).toMatchObject({
      pass: false,
      reason: 'the arguments are not a JSON object',
    })
    expect(verdict(canary, [text(call.function.arguments)])).toMatchObject({ pass: false, reason: 'there is text beside the call' })
  })

  it('tool.call forces the function with strict, closed parameters', () => {
    const { body } = canaryOf('tool.call')
    const tool = body.tools![0]!.function
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: tool.name } })
    expect(tool).toMatchObject({
      name: expect.stringMatching(/^record_[0-9a-f]{8}$/),
      strict: true,
      parameters: { additionalProperties: false },
    })
  })

  it('tool.chain sends the first call and its result back and forces submit_*, then wants both calls exact', () => {
    const canary = canaryOf('tool.chain')
    const first = right(canary)
    expect(canary.body.tool_choice).toEqual({ type: 'function', function: { name: expect.stringMatching(/^lookup_/) } })
    const second = canary.followUp!(first)!
    expect(second.messages).toEqual([
      canary.body.messages[0],
      { role: 'assistant', content: null, tool_calls: first.tool_calls },
      { role: 'tool', tool_call_id: 'call_lookup', content: expect.any(String) },
    ])
    expect(second.tool_choice).toEqual({ type: 'function', function: { name: expect.stringMatching(/^submit_/) } })
    expect(second.tools).toEqual(canary.body.tools)
    const answer = rightAnswer(canary, second)
    expect(verdict(canary, [first, answer])).toEqual({ pass: true })
    expect(verdict(canary, [first, { ...answer, content: 'Done.' }])).toMatchObject({
      pass: false,
      reason: 'stage 2: there is text beside the call',
    })
    expect(verdict(canary, [first, { ...answer, tool_calls: [{ ...answer.tool_calls![0]!, id: ' ' }] }])).toMatchObject({
      pass: false,
      reason: 'stage 2: the call has no id',
    })
    const wrongValue = {
      ...answer,
      tool_calls: [{ ...answer.tool_calls![0]!, function: { ...answer.tool_calls![0]!.function, arguments: '{"value":"0"}' } }],
    }
    expect(verdict(canary, [first, wrongValue]).pass).toBe(false)
    const noCall = text('I will look it up.')
    expect(canary.followUp!(noCall)).toBeNull()
    expect(verdict(canary, [noCall])).toMatchObject({ pass: false, reason: 'stage 1: there is text beside the call' })
  })

  it('stop.sequence sends the marker as a string and fails when it is emitted or the text runs past it', () => {
    const canary = canaryOf('stop.sequence')
    const marker = canary.body.stop as string
    expect(marker).toMatch(/^<STOP_[0-9a-f]{10}>$/)
    const full = (canary.body.messages[0]!.content as string).split(': ')[1]!
    expect(verdict(canary, [withContent(canary, (t) => `${t}${marker}`)])).toMatchObject({
      pass: false,
      reason: 'the stop marker was emitted',
    })
    expect(verdict(canary, [text(full.replace(marker, ''))])).toMatchObject({
      pass: false,
      reason: 'the text went on past the stop marker',
    })
    expect(verdict(canary, [withContent(canary, (t) => t.slice(0, -1))]).pass).toBe(false)
  })

  it("token.limit wants finish_reason length and a token count within the validators' range", () => {
    const canary = canaryOf('token.limit')
    const answer = right(canary)
    const max = canary.body.max_tokens
    expect(max).toBeGreaterThanOrEqual(160)
    expect(max).toBeLessThanOrEqual(256)
    expect(verdict(canary, [{ ...answer, finish_reason: 'stop' }])).toMatchObject({
      pass: false,
      reason: 'finish_reason is stop, not length',
    })
    expect(verdict(canary, [{ ...answer, completion_tokens: Math.floor(max / 2) - 1 }]).pass).toBe(false)
    expect(verdict(canary, [{ ...answer, completion_tokens: Math.floor((max * 5 + 3) / 4) + 8 }])).toEqual({ pass: true })
    expect(verdict(canary, [{ ...answer, completion_tokens: Math.floor((max * 5 + 3) / 4) + 9 }]).pass).toBe(false)
    expect(verdict(canary, [{ ...answer, content: `${answer.content} banana` }])).toMatchObject({
      pass: false,
      reason: 'the answer is not one word repeated',
    })
  })

  it("context.retrieve fails another record's value", () => {
    const canary = canaryOf('context.retrieve')
    const values = [...(canary.body.messages[0]!.content as string).matchAll(/value=([0-9a-f]+)$/gm)].map((m) => m[1]!)
    const other = values.find((value) => value !== right(canary).content)!
    expect(verdict(canary, [text(other)])).toMatchObject({ pass: false, reason: 'the token is not the one asked for' })
  })
})
