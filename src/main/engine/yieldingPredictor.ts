import { TokenPredictor, type Token } from 'node-llama-cpp'
import type { LockDemand } from './lockDemand.js'

/**
 * Every pooled sequence's token predictor: it drafts what `inner` drafts (prompt lookup, or nothing), and
 * gives the context lock a way in. node-llama-cpp awaits `predictTokens` before it queues a sequence's
 * next token, so while a `LockDemand` waits this holds the token back until the demand is met (once per
 * demand, again after a long prompt let it go): with every generating sequence held back the decode loop
 * ends and lets the waiting work run, and the held sequences then queue together, in one batch again.
 */
export class YieldingPredictor extends TokenPredictor {
  private yieldedFor = -1

  constructor(
    private readonly demand: LockDemand,
    readonly inner: TokenPredictor | undefined,
  ) {
    super()
  }

  reset(params: Parameters<TokenPredictor['reset']>[0]): Promise<void> | void {
    return this.inner?.reset(params)
  }

  override updateInputTokens(tokens: Token[]): void {
    this.inner?.updateInputTokens(tokens)
  }

  pushTokens(tokens: Token[]): void {
    this.inner?.pushTokens(tokens)
  }

  predictTokens(): Promise<Token[]> | Token[] {
    const demand = this.demand
    if (!demand.waiting || !demand.canDrain || this.yieldedFor === demand.current) return this.inner?.predictTokens() ?? []
    this.yieldedFor = demand.current
    return demand.settled().then((outcome) => {
      // Let go because a long prompt keeps the loop busy: hold again once the loop can run dry.
      if (outcome === 'blocked') this.yieldedFor = -1
      return this.inner?.predictTokens() ?? []
    })
  }

  override stop(untilPredictionsExhausted?: boolean): Promise<void> | void {
    return this.inner?.stop(untilPredictionsExhausted)
  }

  override dispose(): Promise<void> | void {
    return this.inner?.dispose()
  }
}
