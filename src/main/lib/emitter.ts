/** A listener for every event of one service, by name. */
export type EventListener<M> = <K extends keyof M & string>(name: K, payload: M[K]) => void

/**
 * The events one service owns: it emits, the host subscribes and forwards them to the transports. A
 * listener that throws is logged and skipped, so a broken watcher (a destroyed tray, a closed window)
 * never fails the service that emitted.
 */
export class Emitter<M> {
  private readonly listeners = new Set<EventListener<M>>()

  constructor(private readonly log: (line: string) => void = (line) => console.error(line)) {}

  emit<K extends keyof M & string>(name: K, payload: M[K]): void {
    for (const listener of this.listeners) {
      try {
        listener(name, payload)
      } catch (error) {
        this.log(`a listener of ${name} failed: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener<M>): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** One event only, its payload typed: for a service watching another (no filtering by name, no casts). */
  on<K extends keyof M & string>(name: K, listener: (payload: M[K]) => void): () => void {
    return this.subscribe((emitted, payload) => {
      if ((emitted as string) === name) listener(payload as unknown as M[K])
    })
  }
}
