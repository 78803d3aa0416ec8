import {
  getLlama,
  LlamaCompletion,
  LlamaLogLevel,
  TokenBias,
  TokenPredictor,
  type CustomBatchingPrioritizationStrategy,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batchSchedule } from '../../src/main/engine/batchSchedule.js'
import { leanCompletion } from '../../src/main/engine/leanCompletion.js'
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

/** A pool over a context of `sequences` sequences, batched the way the runtime batches them; `widths` gets each batch's sequence count. */
async function poolOf(sequences: number, predictor: () => TokenPredictor | undefined = () => undefined, widths: number[] = []) {
  let pool: SequencePool | null = null
  const schedule = batchSchedule({
    busy: () => pool?.inUse ?? 0,
    yielding: () => pool?.yielding ?? false,
    onBatch: (leftover) => pool?.batchStarted(leftover),
  })
  const context = await model.createContext({
    contextSize: 512,
    sequences,
    threads: 1,
    batching: {
      itemPrioritizationStrategy: (batch) => {
        const chosen = schedule(batch)
        if (chosen.length > 0) widths.push(chosen.length)
        return chosen
      },
    },
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

describe('grid slots taking job after job on one context', () => {
  const signal = new AbortController().signal
  const JOB_TOKENS = 40

  /**
   * One slot: `jobs` jobs in a row, each a lean completion of JOB_TOKENS tokens after `prompt` on a sequence
   * of its own; `started` resolves once its first job has generated `ahead` tokens.
   */
  function slot(pool: SequencePool, prompt: Token[], jobs: number, ahead = 0) {
    const noEnd = new TokenBias(model.tokenizer)
    for (const token of [model.tokens.eos, model.tokens.eot]) if (token !== null) noEnd.set(token, 'never')
    let start: () => void = () => {}
    const started = new Promise<void>((resolve) => (start = resolve))
    const done = (async () => {
      for (let job = 0; job < jobs; job++) {
        const lease = await pool.acquire(undefined, signal)
        let generated = 0
        await leanCompletion(lease!.sequence, prompt, {
          maxTokens: JOB_TOKENS,
          temperature: 0.8,
          repeatPenalty: false,
          tokenBias: noEnd,
          signal,
          contextShiftSize: 64,
          onToken: (tokens) => {
            generated += tokens.length
            if (generated >= ahead) start()
          },
          onText() {},
        })
        lease!.release()
      }
    })()
    return { started, done }
  }

  it('keep decoding in shared batches after the first jobs end, while the next prompts are read', async () => {
    // A prompt long enough that reading it takes many steps' time, as a grid job's does on a real model.
    const prompt = model.tokenize('Once upon a time there was a little girl who loved to play in the park. '.repeat(12))
    const widths: number[] = []
    // As many sequences as slots, as `gridforge worker` loads: a finished job's id must come back for the next.
    const { pool, context } = await poolOf(2, () => undefined, widths)
    try {
      // The grid hands jobs out one at a time: the second slot starts a few tokens behind the first.
      const first = slot(pool, prompt, 2, 3)
      await first.started
      await Promise.all([first.done, slot(pool, prompt, 2).done])
      const shared = widths.filter((width) => width === 2).length
      // Two waves of JOB_TOKENS steps each; steps around a job change, and holds a loaded machine misses, go alone.
      expect(shared).toBeGreaterThanOrEqual(2 * JOB_TOKENS * 0.6)
    } finally {
      await context.dispose()
    }
  })
})
