import { TokenPredictor, type Token } from 'node-llama-cpp'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LockDemand } from '../../src/main/engine/lockDemand.js'
import { YieldingPredictor } from '../../src/main/engine/yieldingPredictor.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** Drafts `draft` and remembers what it was told. */
class Recording extends TokenPredictor {
  pushed: Token[] = []
  stops: Array<boolean | undefined> = []
  constructor(private readonly draft: Token[] = []) {
    super()
  }
  reset(): void {}
  pushTokens(tokens: Token[]): void {
    this.pushed.push(...tokens)
  }
  predictTokens(): Token[] {
    return this.draft
  }
  override stop(untilPredictionsExhausted?: boolean): void {
    this.stops.push(untilPredictionsExhausted)
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
    const demand = new LockDemand(20)
    const first = demand.want()
    const second = demand.want()
    const settled = demand.settled()
    first()
    expect(await settledNow(settled)).toBe(false)
    second()
    expect(await settledNow(settled)).toBe(true)
    expect(demand.waiting).toBe(false)
  })

  it('stops waiting after its limit when the work never gets the lock', async () => {
    const demand = new LockDemand(20)
    demand.want()
    const settled = demand.settled()
    await vi.advanceTimersByTimeAsync(19)
    expect(await settledNow(settled)).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(await settledNow(settled)).toBe(true)
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
    const demand = new LockDemand(20)
    const predictor = new YieldingPredictor(demand, new Recording([7 as Token]))
    const done = demand.want()
    const held = predictor.predictTokens()
    expect(held).toBeInstanceOf(Promise)
    expect(await settledNow(held as Promise<Token[]>)).toBe(false)
    done()
    expect(await held).toEqual([7])
    // A demand that outlives the hold (its work never got the lock) does not hold every token.
    demand.want()
    const again = predictor.predictTokens()
    await vi.advanceTimersByTimeAsync(20)
    expect(await again).toEqual([7])
    expect(predictor.predictTokens()).toEqual([7])
  })

  it('raises a demand when a refuted draft is about to be erased, and ends it when the sequence moves on', () => {
    const demand = new LockDemand()
    const inner = new Recording()
    const predictor = new YieldingPredictor(demand, inner)
    predictor.stop(true)
    expect(demand.waiting).toBe(true)
    expect(inner.stops).toEqual([true])
    predictor.pushTokens([3 as Token])
    expect(demand.waiting).toBe(false)
    expect(inner.pushed).toEqual([3])
  })

  it("keeps a kept sequence's demand until its evaluation starts, and ends it when the lease goes back unused", () => {
    const demand = new LockDemand()
    const predictor = new YieldingPredictor(demand, undefined)
    predictor.expectLock()
    predictor.expectLock()
    expect(demand.waiting).toBe(true)
    predictor.stop()
    expect(demand.waiting).toBe(false)
    predictor.expectLock()
    predictor.settle()
    expect(demand.waiting).toBe(false)
  })

  it('drafts nothing without an inner predictor', () => {
    expect(new YieldingPredictor(new LockDemand(), undefined).predictTokens()).toEqual([])
  })
})
