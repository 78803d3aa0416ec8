import type { Logger } from './ports.js'
import type { WorkerEvent, WorkerState } from './workerTypes.js'

/**
 * The worker's listeners. One that throws (a destroyed tray redrawing on "stopping") must not keep
 * stop() from aborting, nor a job from being answered: it is logged and the others still hear the event.
 */
export function createWorkerEvents(logger: Logger) {
  const listeners = new Set<(event: WorkerEvent) => void>()
  let lastState = ''
  const emit = (event: WorkerEvent) => {
    for (const listener of listeners) {
      try {
        listener(event)
      } catch (error) {
        logger.warn(`a listener of the worker's ${event.type} event failed: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }
  return {
    emit,
    setState(state: WorkerState, detail: string | null = null, problem?: string): void {
      // Idle polls repeat "waiting" every few seconds; listeners hear only changes.
      const key = `${state}|${detail ?? ''}`
      if (key === lastState) return
      lastState = key
      emit({ type: 'state', state, detail, ...(problem === undefined ? {} : { problem }) })
    },
    subscribe(listener: (event: WorkerEvent) => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
