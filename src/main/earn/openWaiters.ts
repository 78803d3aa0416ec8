/** Callers waiting for a gate to open; each also leaves when its own abort signal fires. */
export class OpenWaiters {
  private readonly waiters = new Set<() => void>()

  /** Resolves at the next `release()`, or when `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      this.waiters.add(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  /** Lets every current waiter through. */
  release(): void {
    for (const waiter of [...this.waiters]) waiter()
  }
}
