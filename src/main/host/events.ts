import type { EventName, Events } from '../../shared/api.js'

/** A listener for every host event; transports forward these to their clients. */
export type HostEventListener = <E extends EventName>(name: E, payload: Events[E]) => void

/** The host's event bus: services emit, transports (IPC, WebSocket) listen. */
export class HostEvents {
  private readonly listeners = new Set<HostEventListener>()

  emit<E extends EventName>(name: E, payload: Events[E]): void {
    for (const listener of this.listeners) listener(name, payload)
  }

  subscribe(listener: HostEventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
