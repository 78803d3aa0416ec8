import type { BatchItem } from 'node-llama-cpp'
import { describe, expect, it } from 'vitest'
import { batchSchedule, fairShares, HOLD_SHARE } from '../../src/main/engine/batchSchedule.js'

function item(tokens = 1): BatchItem {
  return { tokens: Array.from({ length: tokens }, (_, i) => i as never), logits: [true], evaluationPriority: 5 }
}

function clock() {
  let at = 0
  return { now: () => at, advance: (ms: number) => (at += ms) }
}

describe('batchSchedule', () => {
  it('holds the batch until every busy sequence has queued its next token', () => {
    const time = clock()
    const strategy = batchSchedule({ busy: () => 2, now: time.now })
    const first = item()
    expect(strategy({ items: [first], size: 512 })).toEqual([])
    time.advance(0.5)
    const both = strategy({ items: [first, item()], size: 512 })
    expect(both.map((share) => share.processAmount)).toEqual([1, 1])
  })

  it('sends what is queued once the hold runs out, and then stops waiting for the sequence that missed it', () => {
    const time = clock()
    const strategy = batchSchedule({ busy: () => 3, now: time.now, holdMs: 2 })
    const queued = [item(), item()]
    expect(strategy({ items: queued, size: 512 })).toEqual([])
    time.advance(2)
    expect(strategy({ items: queued, size: 512 })).toHaveLength(2)
    // The next batch of the two goes at once: the third sequence is not waited for again...
    expect(strategy({ items: queued, size: 512 })).toHaveLength(2)
    // ...until it queues again; from then on all three are held for.
    expect(strategy({ items: [...queued, item()], size: 512 })).toHaveLength(3)
    expect(strategy({ items: queued, size: 512 })).toEqual([])
  })

  it('holds for every busy sequence again a while after one missed a hold, so alternating batches are broken up', () => {
    const time = clock()
    const strategy = batchSchedule({ busy: () => 2, now: time.now, holdMs: 2, excuseMs: 100 })
    const one = [item()]
    expect(strategy({ items: one, size: 512 })).toEqual([])
    time.advance(3)
    expect(strategy({ items: one, size: 512 })).toHaveLength(1)
    time.advance(50)
    expect(strategy({ items: one, size: 512 })).toHaveLength(1)
    time.advance(50)
    expect(strategy({ items: one, size: 512 })).toEqual([])
    expect(strategy({ items: [...one, item()], size: 512 })).toHaveLength(2)
  })

  it('holds for a sequence lent while another was generating alone', () => {
    let busy = 1
    const strategy = batchSchedule({ busy: () => busy, now: () => 0 })
    expect(strategy({ items: [item()], size: 512 })).toHaveLength(1)
    busy = 2
    expect(strategy({ items: [item(8)], size: 512 })).toEqual([])
    expect(strategy({ items: [item(8), item()], size: 512 })).toHaveLength(2)
  })

  it('does not wait for sequences that were handed back', () => {
    const time = clock()
    let busy = 2
    const strategy = batchSchedule({ busy: () => busy, now: time.now })
    expect(strategy({ items: [item()], size: 512 })).toEqual([])
    busy = 1
    expect(strategy({ items: [item()], size: 512 })).toHaveLength(1)
  })

  it('does not hold while the sequences hold their tokens back for work waiting on the context lock', () => {
    let yielding = true
    const strategy = batchSchedule({ busy: () => 3, yielding: () => yielding, now: () => 0 })
    expect(strategy({ items: [item()], size: 512 })).toHaveLength(1)
    yielding = false
    expect(strategy({ items: [item()], size: 512 })).toEqual([])
  })

  it('says whether a batch leaves queued tokens for later batches (a prompt longer than a batch)', () => {
    const leftovers: boolean[] = []
    const strategy = batchSchedule({ busy: () => 2, onBatch: (leftover) => leftovers.push(leftover), now: () => 0 })
    strategy({ items: [item(600), item()], size: 512 })
    strategy({ items: [item(89), item()], size: 512 })
    expect(leftovers).toEqual([true, false])
  })

  it('holds longer on a model whose batches take long, where a missed batch costs a whole step', () => {
    const time = clock()
    const strategy = batchSchedule({ busy: () => 2, now: time.now, holdMs: 2 })
    const both = () => strategy({ items: [item(), item()], size: 512 })
    // Three batches of 200 ms each: a hold may now last HOLD_SHARE of that.
    for (let batch = 0; batch < 3; batch++) {
      expect(both()).toHaveLength(2)
      time.advance(200)
    }
    both()
    time.advance(200)
    const one = [item()]
    expect(strategy({ items: one, size: 512 })).toEqual([])
    time.advance(200 * HOLD_SHARE - 1)
    expect(strategy({ items: one, size: 512 })).toEqual([])
    time.advance(1)
    expect(strategy({ items: one, size: 512 })).toHaveLength(1)
  })

  it('decodes a lone sequence without holding', () => {
    const strategy = batchSchedule({ busy: () => 1, now: () => 0 })
    expect(strategy({ items: [item()], size: 512 })).toHaveLength(1)
  })
})

describe('fairShares', () => {
  it('gives every item a token before a long prompt takes the rest of the batch', () => {
    const shares = fairShares([item(600), item(), item()], 512)
    expect(shares.map((share) => share.processAmount)).toEqual([510, 1, 1])
  })

  it('never exceeds the batch, and leaves out what does not fit', () => {
    const shares = fairShares([item(3), item(3), item(3)], 2)
    expect(shares.map((share) => share.processAmount)).toEqual([1, 1])
  })
})
