import { getLlama, LlamaCompletion, LlamaLogLevel, type CustomBatchingPrioritizationStrategy, type LlamaModel } from 'node-llama-cpp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batchSchedule } from '../../src/main/engine/batchSchedule.js'
import { tinyModel } from '../support/paths.js'

const TOKENS = 60

let model: LlamaModel

beforeAll(async () => {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: 1 })
  model = await llama.loadModel({ modelPath: tinyModel })
})
afterAll(async () => {
  await model?.dispose()
})

/** Runs `parallel` completions at once in one context of four sequences; returns how many sequences each decode held. */
async function batchWidths(parallel: number, strategy: (busy: () => number) => CustomBatchingPrioritizationStrategy | undefined) {
  let busy = 0
  const widths: number[] = []
  const inner = strategy(() => busy)
  const context = await model.createContext({
    contextSize: 256,
    sequences: 4,
    threads: 1,
    batching: inner
      ? {
          itemPrioritizationStrategy: (batch) => {
            const chosen = inner(batch)
            if (chosen.length > 0) widths.push(chosen.length)
            return chosen
          },
        }
      : {
          itemPrioritizationStrategy: (batch) => {
            widths.push(batch.items.length)
            return batch.items.map((item) => ({ item, processAmount: item.tokens.length }))
          },
        },
  })
  try {
    const sequences = Array.from({ length: parallel }, () => context.getSequence())
    busy = parallel
    await Promise.all(
      sequences.map(async (sequence) => {
        const completion = new LlamaCompletion({ contextSequence: sequence })
        await completion.generateCompletion('Once upon a time', { maxTokens: TOKENS, temperature: 0, customStopTriggers: [] })
      }),
    )
    return widths
  } finally {
    await context.dispose()
  }
}

describe('parallel sequences of one context', () => {
  it.each([2, 4])('decode in one batch with the batch schedule (%i sequences)', async (parallel) => {
    const widths = await batchWidths(parallel, (busy) => batchSchedule({ busy }))
    const full = widths.filter((width) => width === parallel).length
    // A rare hold can run out on a busy machine; the sequences then fall back into step.
    expect(full).toBeGreaterThanOrEqual(TOKENS * 0.8)
    expect(widths.length).toBeLessThanOrEqual(TOKENS * 1.2)
  })

  it("fall out of step with node-llama-cpp's own scheduling (what the schedule fixes)", async () => {
    const widths = await batchWidths(2, () => undefined)
    expect(widths.filter((width) => width === 2).length).toBeLessThan(TOKENS * 0.5)
  })
})
