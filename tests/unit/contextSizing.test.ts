import { describe, expect, it } from 'vitest'
import { CHAT_CONTEXT, CONTEXT_PADDING, contextPlan } from '../../src/main/engine/contextSizing.js'

/** TinyLlama 1.1B's shape: 22 layers × 4 KV heads × (64 + 64) × 2 bytes per token. */
const tinyLlamaKv = 22 * 4 * 128 * 2
const base = { trained: 32_768, sequences: 1, bytesPerToken: tinyLlamaKv, kvBudgetBytes: null }

describe('the context a load gets', () => {
  it('holds what its users need, padded up the way llama.cpp pads it', () => {
    expect(contextPlan({ ...base, needed: 2048 }).max).toBe(2048)
    expect(contextPlan({ ...base, needed: 1000 }).max).toBe(1024)
    expect(contextPlan({ ...base, needed: 1 }).max).toBe(CONTEXT_PADDING)
  })

  it('is the chat default when no one asks for a size, and never more than the model was trained on', () => {
    expect(contextPlan({ ...base, needed: null }).max).toBe(CHAT_CONTEXT)
    expect(contextPlan({ ...base, needed: 8192, trained: 2048 }).max).toBe(2048)
    expect(contextPlan({ ...base, needed: null, trained: 512 })).toEqual({ min: 256, max: 512 })
  })

  it('gives every sequence only what the memory beside the model holds for all of their KV caches', () => {
    // Room for four sequences of 1,500 tokens: each gets the padded size below that, not the 4,096 asked for.
    const budget = 4 * 1500 * tinyLlamaKv
    const plan = contextPlan({ ...base, needed: 4096, sequences: 4, kvBudgetBytes: budget })
    expect(plan.max).toBe(1280)
    expect(4 * plan.max * tinyLlamaKv).toBeLessThanOrEqual(budget)
    // With no room at all it still asks for the smallest context, and node-llama-cpp's own check says no.
    expect(contextPlan({ ...base, needed: 4096, kvBudgetBytes: 0 })).toEqual({ min: 256, max: 256 })
  })
})
