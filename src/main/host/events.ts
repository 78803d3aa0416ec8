import type { EventName, Events } from '../../shared/api.js'
import type { EventListener } from '../lib/emitter.js'

/** A listener for every host event; transports forward these to their clients. */
export type HostEventListener = <E extends EventName>(name: E, payload: Events[E]) => void

/**
 * The host's event bus: services emit, transports (IPC, WebSocket) listen. A listener that throws is
 * logged and skipped: the emitting service (a miner stopping, a download finishing) must not fail
 * because one of its watchers (a destroyed tray, a closed window) did.
 */
export class HostEvents {
  private readonly listeners = new Set<HostEventListener>()

  constructor(private readonly log: (line: string) => void = (line) => console.error(line)) {}

  emit<E extends EventName>(name: E, payload: Events[E]): void {
    for (const listener of this.listeners) {
      try {
        listener(name, payload)
      } catch (error) {
        this.log(`a listener of ${name} failed: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }

  /**
   * A listener that puts one service's own events on this bus, under the same names: a service's event
   * map is a part of the contract's (`Pick<Events, …>`), so names and payloads are checked where it is wired.
   */
  forwarder<M extends Partial<Events>>(): EventListener<M> {
    return (name, payload) => this.emit(name as EventName, payload as Events[EventName])
  }

  subscribe(listener: HostEventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
