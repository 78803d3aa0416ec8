import {
  getLlama,
  LlamaCompletion,
  LlamaLogLevel,
  TokenPredictor,
  type CustomBatchingPrioritizationStrategy,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batchSchedule } from '../../src/main/engine/batchSchedule.js'
import { SequencePool, type SequenceLease } from '../../src/main/engine/sequencePool.js'
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

/** Always drafts a token the model (almost) never samples next, so every draft is refuted and erased. */
class RefutedDrafts extends TokenPredictor {
  reset(): void {}
  pushTokens(): void {}
  predictTokens(): Token[] {
    return [5 as Token]
  }
}

/** A pool over a context of `sequences` sequences, batched the way the runtime batches them. */
async function poolOf(sequences: number, predictor: () => TokenPredictor | undefined = () => undefined) {
  let pool: SequencePool | null = null
  const context = await model.createContext({
    contextSize: 512,
    sequences,
    threads: 1,
    batching: { itemPrioritizationStrategy: batchSchedule({ busy: () => pool?.inUse ?? 0, yielding: () => pool?.yielding ?? false }) },
  })
  pool = new SequencePool(context, predictor)
  return { pool, context }
}

async function generate(lease: SequenceLease, tokens: number, events: string[], name: string) {
  let generated = 0
  for await (const _ of lease.sequence.evaluate(model.tokenize('Once upon a time', true), { temperature: 0.8 })) {
    if (++generated >= tokens) break
  }
  events.push(name)
  lease.release()
}

describe('sequences that need the context lock while others generate', () => {
  const signal = new AbortController().signal

  it('a sequence handed back is lent again before the others finish (its id no longer waits for the whole wave)', async () => {
    const { pool, context } = await poolOf(3)
    try {
      const events: string[] = []
      const [short, long1, long2] = await Promise.all([0, 1, 2].map(() => pool.acquire(undefined, signal)))
      const others = Promise.all([generate(long1!, 300, events, 'long done'), generate(long2!, 300, events, 'long done')])
      await generate(short!, 10, events, 'short done')
      const next = await pool.acquire(undefined, signal)
      events.push('lent again')
      next!.release()
      await others
      expect(events).toEqual(['short done', 'lent again', 'long done', 'long done'])
    } finally {
      await context.dispose()
    }
  })

  it('a refuted draft does not stall its sequence until the others finish', async () => {
    let drafting = true
    const { pool, context } = await poolOf(3, () => (drafting ? new RefutedDrafts() : undefined))
    try {
      const events: string[] = []
      const refuting = await pool.acquire(undefined, signal)
      drafting = false
      const [long1, long2] = await Promise.all([0, 1].map(() => pool.acquire(undefined, signal)))
      await Promise.all([
        generate(refuting!, 20, events, 'refuting done'),
        generate(long1!, 300, events, 'long done'),
        generate(long2!, 300, events, 'long done'),
      ])
      expect(refuting!.sequence.tokenPredictions.refuted).toBeGreaterThan(0)
      expect(events[0]).toBe('refuting done')
    } finally {
      await context.dispose()
    }
  })
})
