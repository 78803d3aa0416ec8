import { describe, expect, it } from 'vitest'
import { READINESS_FAMILIES } from '../../src/shared/readiness.js'
import type { GenerationEngine } from '../../src/worker/ports.js'
import { runReadiness } from '../../src/worker/readiness/runner.js'
import { fakeClock, oracleEngine } from '../support/readinessOracle.js'

const limits = { maxLength: 512, maxContextLength: 4096 }

describe('the readiness runner', () => {
  it('passes a model that answers every probe rightly: ready, decode speed from the clock, no context probe at 4K', async () => {
    const clock = fakeClock()
    const engine = oracleEngine({ seed: 11, maxContextLength: 4096, clock, msPerToken: 20 })
    const results: string[] = []
    const report = await runReadiness({
      engine,
      limits,
      seed: 11,
      clock,
      onResult: (result, done, total) => results.push(`${done}/${total} ${result.family}`),
    })
    expect(report.results.map((r) => r.family)).toEqual([...READINESS_FAMILIES])
    expect(report.results.filter((r) => r.verdict !== 'skipped').map((r) => [r.family, r.verdict, r.reason])).toEqual(
      READINESS_FAMILIES.filter((f) => !f.startsWith('context.')).map((f) => [f, 'pass', null]),
    )
    expect(
      report.results
        .filter((r) => r.family.startsWith('context.'))
        .every((r) => r.verdict === 'skipped' && /8,192|32,768|65,536/.test(r.reason!)),
    ).toBe(true)
    expect(report).toMatchObject({ seed: 11, ready: true, maxContextLength: 4096, largestContextPassed: null })
    expect(report.tokensPerSecond).toBeCloseTo(50, 6)
    expect(results).toHaveLength(13)
    expect(results[0]).toBe('1/13 echo')
  })

  it('runs tool.chain in two stages and sends each probe as a grid job: chat turns, clamped tokens, temperature 0, seed, stop', async () => {
    const clock = fakeClock()
    const engine = oracleEngine({ seed: 3, maxContextLength: 4096, clock })
    await runReadiness({ engine, limits: { maxLength: 200, maxContextLength: 4096 }, seed: 3, clock })
    const chain = engine.calls.filter((c) => c.family === 'tool.chain')
    expect(chain).toHaveLength(2)
    // Stage 2 sends back the call and its result, as the validator does, and forces the second tool.
    const stage2 = chain[1]!.request
    expect(stage2).toMatchObject({
      kind: 'chat',
      turns: [
        { role: 'user' },
        { role: 'assistant', toolCalls: [{ name: expect.stringMatching(/^lookup_/) }] },
        { role: 'tool', toolCallId: expect.any(String) },
      ],
      toolChoice: { name: expect.stringMatching(/^submit_/) },
    })
    expect(engine.calls).toHaveLength(11)
    for (const { request, family } of engine.calls) {
      expect(request).toMatchObject({ kind: 'chat', params: { temperature: 0, seed: expect.any(Number) } })
      if (request.kind !== 'chat') continue
      expect(request.turns[0]).toMatchObject({ role: 'user' })
      expect(request.params.maxTokens).toBeLessThanOrEqual(200)
      if (family === 'stop.sequence') expect(request.params.stop).toEqual([expect.stringMatching(/^<STOP_[0-9a-f]{10}>$/)])
    }
  })

  it('sends the context probes a worker advertising 64K gets, and reports the largest one that passed', async () => {
    const clock = fakeClock()
    const engine = oracleEngine({
      seed: 5,
      maxContextLength: 65_536,
      clock,
      answer: (canary, _body, right) => (canary.family === 'context.retrieve.32k' ? { ...right, content: 'not-it' } : right),
    })
    const report = await runReadiness({ engine, limits: { maxLength: 512, maxContextLength: 65_536 }, seed: 5, clock })
    const context = report.results.filter((r) => r.family.startsWith('context.')).map((r) => r.verdict)
    expect(context).toEqual(['pass', 'pass', 'fail'])
    expect(report.largestContextPassed).toBe(16_384)
    expect(report.ready).toBe(false)
  })

  it('scores a right answer over 30 s as slow, still ready; a wrong one as fail with the reason', async () => {
    const clock = fakeClock()
    const engine = oracleEngine({
      seed: 8,
      maxContextLength: 4096,
      clock,
      msPerToken: 10,
      answer: (canary, _body, right) => {
        if (canary.family === 'echo') clock.advance(31_000)
        if (canary.family === 'math.add') return { ...right, content: `${right.content} and 1` }
        return right
      },
    })
    const report = await runReadiness({ engine, limits, seed: 8, clock })
    const byFamily = Object.fromEntries(report.results.map((r) => [r.family, r]))
    expect(byFamily.echo).toMatchObject({ verdict: 'slow', reason: null })
    expect(byFamily.echo!.durationMs).toBeGreaterThan(30_000)
    expect(byFamily['math.add']).toMatchObject({ verdict: 'fail', reason: 'the answer has 2 integers, not one' })
    expect(report.ready).toBe(false)
  })

  it('fails a probe the engine throws on or never answers within 180 s, and goes on with the next', async () => {
    const clock = fakeClock()
    let call = 0
    const engine: GenerationEngine = {
      generate: (request, handlers) => {
        call++
        if (call === 1) return Promise.reject(new Error('engine crashed'))
        if (call === 2) {
          // Hangs until aborted, as a stuck model would; the runner's timeout is on the fake clock.
          return new Promise((resolve) => {
            handlers.signal?.addEventListener('abort', () =>
              resolve({ text: 'par', finishReason: 'abort', promptTokens: 1, completionTokens: 1, durationMs: 0, firstTokenMs: null }),
            )
          })
        }
        handlers.onText?.('hello', 1)
        return Promise.resolve({
          text: 'hello',
          finishReason: 'stop',
          promptTokens: 1,
          completionTokens: 1,
          durationMs: 0,
          firstTokenMs: 0,
        })
      },
    }
    const timeouts: Array<() => void> = []
    const report = await runReadiness({
      engine,
      limits,
      seed: 1,
      clock: {
        ...clock,
        sleep: (_ms, signal) =>
          new Promise((resolve) => {
            timeouts.push(() => resolve())
            signal?.addEventListener('abort', () => resolve(), { once: true })
            // The second probe's timer fires at once: the fake "180 s" pass.
            if (timeouts.length === 2)
              queueMicrotask(() => {
                clock.advance(180_001)
                resolve()
              })
          }),
      },
    })
    expect(report.results[0]).toMatchObject({ family: 'echo', verdict: 'fail', reason: 'generation failed: engine crashed' })
    expect(report.results[1]).toMatchObject({ family: 'math.add', verdict: 'fail', reason: 'no answer within 180 s' })
    expect(report.results[2]).toMatchObject({ family: 'math.mul', verdict: 'fail', reason: 'the answer has no integer' })
    expect(report.ready).toBe(false)
    expect(report.tokensPerSecond).toBeNull()
  })

  it('stops when cancelled', async () => {
    const clock = fakeClock()
    const controller = new AbortController()
    const engine = oracleEngine({ seed: 2, maxContextLength: 4096, clock })
    const run = runReadiness({
      engine,
      limits,
      seed: 2,
      clock,
      signal: controller.signal,
      onResult: (_r, done) => done === 2 && controller.abort(),
    })
    await expect(run).rejects.toThrow('cancelled')
    expect(engine.calls).toHaveLength(2)
  })
})
