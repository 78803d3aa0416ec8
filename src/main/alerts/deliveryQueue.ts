/** At most this many deliveries wait; older ones are dropped first (a stale alert is worth less than a new one). */
export const MAX_QUEUED = 16

/**
 * Deliveries run one at a time behind the caller's back: raising an alert never waits on a webhook, so a
 * hung hook can never hold a job, the miner or the UI. Bounded, so a storm of alerts cannot grow memory.
 */
export class DeliveryQueue {
  private readonly queue: Array<() => Promise<void>> = []
  private running: Promise<void> | null = null

  constructor(
    private readonly log: (line: string) => void,
    private readonly max = MAX_QUEUED,
  ) {}

  push(task: () => Promise<void>): void {
    if (this.queue.length >= this.max) {
      this.queue.shift()
      this.log('alerts: too many alerts waiting for delivery; the oldest was dropped.')
    }
    this.queue.push(task)
    this.running ??= this.drain().finally(() => (this.running = null))
  }

  /** Resolves once everything queued has been tried (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  private async drain(): Promise<void> {
    for (let task = this.queue.shift(); task; task = this.queue.shift()) {
      await task().catch((error: unknown) =>
        this.log(`alerts: a delivery failed: ${error instanceof Error ? error.message : String(error)}`),
      )
    }
  }
}
