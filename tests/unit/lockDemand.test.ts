import { TokenPredictor, type Token } from 'node-llama-cpp'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LockDemand, MAX_YIELD_MS, YIELD_BATCHES } from '../../src/main/engine/lockDemand.js'
import { YieldingPredictor } from '../../src/main/engine/yieldingPredictor.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** Drafts `draft`. */
class Recording extends TokenPredictor {
  constructor(private readonly draft: Token[] = []) {
    super()
  }
  reset(): void {}
  pushTokens(): void {}
  predictTokens(): Token[] {
    return this.draft
  }
}

/** Whether `promise` has settled after the microtasks queued so far. */
async function settledNow(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(() => (done = true))
  await vi.advanceTimersByTimeAsync(0)
  return done
}

describe('LockDemand', () => {
  it('is settled once every piece of work that wanted the lock is done', async () => {
    const demand = new LockDemand()
    const first = demand.want()
    const second = demand.want()
    const settled = demand.settled()
    first()
    expect(await settledNow(settled)).toBe(false)
    second()
    expect(await settledNow(settled)).toBe(true)
    expect(demand.waiting).toBe(false)
  })

  it('holds a sequence through a batch of any length, until the work has run', async () => {
    const demand = new LockDemand()
    const done = demand.want()
    const settled = demand.settled()
    // Another sequence's prompt can take seconds on a CPU; a hold of a fixed 20 ms ran out during it.
    await vi.advanceTimersByTimeAsync(MAX_YIELD_MS - 1)
    expect(await settledNow(settled)).toBe(false)
    done()
    expect(await settled).toBe('met')
  })

  it('lets the held go at once when a batch leaves queued tokens behind: the loop cannot run dry soon', async () => {
    const demand = new LockDemand()
    demand.want()
    const settled = demand.settled()
    demand.batchStarted(false)
    expect(await settledNow(settled)).toBe(false)
    demand.batchStarted(true)
    expect(await settled).toBe('blocked')
    expect(demand.canDrain).toBe(false)
    expect(await demand.settled()).toBe('blocked')
    demand.batchStarted(false)
    expect(demand.canDrain).toBe(true)
  })

  it('lets the held go when the loop goes on for batches without another sequence being held', async () => {
    const demand = new LockDemand()
    demand.want()
    const first = demand.settled()
    demand.batchStarted(false)
    // Another sequence held after its batch: the loop may still run dry.
    const second = demand.settled()
    demand.batchStarted(false)
    expect(await settledNow(first)).toBe(false)
    for (let batch = 1; batch < YIELD_BATCHES; batch++) demand.batchStarted(false)
    expect(await first).toBe('timeout')
    expect(await second).toBe('timeout')
  })

  it('counts a done callback once however often it is called', () => {
    const demand = new LockDemand()
    const done = demand.want()
    demand.want()
    done()
    done()
    expect(demand.waiting).toBe(true)
  })

  it('ends the demand of work that failed', async () => {
    const demand = new LockDemand()
    await expect(demand.around(() => Promise.reject(new Error('disposed twice')))).rejects.toThrow('disposed twice')
    expect(demand.waiting).toBe(false)
  })
})

describe('YieldingPredictor', () => {
  it("passes the inner predictor's drafts straight through while nothing waits for the lock", () => {
    const predictor = new YieldingPredictor(new LockDemand(), new Recording([7 as Token]))
    expect(predictor.predictTokens()).toEqual([7])
  })

  it('holds the next token back until the waiting work is done, once per demand', async () => {
    const demand = new LockDemand()
    const predictor = new YieldingPredictor(demand, new Recording([7 as Token]))
    const done = demand.want()
    const held = predictor.predictTokens()
    expect(held).toBeInstanceOf(Promise)
    expect(await settledNow(held as Promise<Token[]>)).toBe(false)
    done()
    expect(await held).toEqual([7])
    // A demand whose hold did not drain the loop does not hold every token after.
    demand.want()
    const again = predictor.predictTokens()
    for (let batch = 0; batch < YIELD_BATCHES; batch++) demand.batchStarted(false)
    expect(await again).toEqual([7])
    expect(predictor.predictTokens()).toEqual([7])
  })

  it('keeps sequences out of step held one after the other, so the loop runs dry during the longest batch', async () => {
    const demand = new LockDemand()
    const early = new YieldingPredictor(demand, new Recording([7 as Token]))
    const late = new YieldingPredictor(demand, new Recording([8 as Token]))
    const done = demand.want()
    // `early` finished its step while `late` reads a new job's prompt, one batch of a second.
    const earlyHeld = early.predictTokens() as Promise<Token[]>
    demand.batchStarted(false)
    await vi.advanceTimersByTimeAsync(1000)
    expect(await settledNow(earlyHeld)).toBe(false)
    // The prompt is read: `late` is held too, the loop finds nothing queued, and the work gets the lock.
    const lateHeld = late.predictTokens() as Promise<Token[]>
    done()
    expect(await Promise.all([earlyHeld, lateHeld])).toEqual([[7], [8]])
  })

  it('holds again, for the same demand, once a long prompt no longer keeps the loop turning', async () => {
    const demand = new LockDemand()
    const predictor = new YieldingPredictor(demand, undefined)
    demand.want()
    const held = predictor.predictTokens() as Promise<Token[]>
    demand.batchStarted(true)
    expect(await held).toEqual([])
    // While the prompt's later parts are read, the sequence generates in the same batches.
    expect(predictor.predictTokens()).toEqual([])
    demand.batchStarted(false)
    expect(predictor.predictTokens()).toBeInstanceOf(Promise)
  })

  it('drafts nothing without an inner predictor', () => {
    expect(new YieldingPredictor(new LockDemand(), undefined).predictTokens()).toEqual([])
  })
})
