import { TokenPredictor, type Token } from 'node-llama-cpp'
import type { LockDemand } from './lockDemand.js'

/**
 * Every pooled sequence's token predictor: it drafts what `inner` drafts (prompt lookup, or nothing), and
 * gives the context lock a way in. node-llama-cpp awaits `predictTokens` before it queues a sequence's
 * next token, so while a `LockDemand` waits this holds the token back until the demand is met (once per
 * demand): with every generating sequence held back the decode loop ends and lets the waiting work run.
 * A refuted draft is erased under that lock (node-llama-cpp calls `stop(true)` just before), so it raises
 * a demand of its own until the sequence moves on.
 */
export class YieldingPredictor extends TokenPredictor {
  private yieldedFor = -1
  private ownDemand: (() => void) | null = null

  constructor(
    private readonly demand: LockDemand,
    readonly inner: TokenPredictor | undefined,
  ) {
    super()
  }

  /**
   * The sequence's next evaluation waits for the lock before its first token (a kept conversation erases
   * the tokens its new turn does not share); the demand lasts until the predictor is next used.
   */
  expectLock(): void {
    this.ownDemand ??= this.demand.want()
  }

  reset(params: Parameters<TokenPredictor['reset']>[0]): Promise<void> | void {
    this.settle()
    return this.inner?.reset(params)
  }

  override updateInputTokens(tokens: Token[]): void {
    this.inner?.updateInputTokens(tokens)
  }

  pushTokens(tokens: Token[]): void {
    this.settle()
    this.inner?.pushTokens(tokens)
  }

  predictTokens(): Promise<Token[]> | Token[] {
    this.settle()
    if (!this.demand.waiting || this.yieldedFor === this.demand.current) return this.inner?.predictTokens() ?? []
    this.yieldedFor = this.demand.current
    return this.demand.settled().then(() => this.inner?.predictTokens() ?? [])
  }

  override stop(untilPredictionsExhausted?: boolean): Promise<void> | void {
    if (untilPredictionsExhausted === true) this.ownDemand ??= this.demand.want()
    else this.settle()
    return this.inner?.stop(untilPredictionsExhausted)
  }

  override dispose(): Promise<void> | void {
    this.settle()
    return this.inner?.dispose()
  }

  /** Ends this sequence's own demand: the lock it waited for was had, or the sequence went back to the pool. */
  settle(): void {
    this.ownDemand?.()
    this.ownDemand = null
  }
}
