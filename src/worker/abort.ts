/**
 * An AbortController that also aborts when any parent signal does, and lets go of the parents when
 * disposed. `AbortSignal.any` on a worker-lifetime signal would add a listener per job that is never
 * removed: a leak over thousands of jobs.
 */
export function linkedAbort(...parents: Array<AbortSignal | undefined>) {
  const controller = new AbortController()
  const abort = () => controller.abort()
  const live = parents.filter((parent): parent is AbortSignal => parent !== undefined)
  for (const parent of live) {
    if (parent.aborted) controller.abort()
    else parent.addEventListener('abort', abort, { once: true })
  }
  return {
    signal: controller.signal,
    abort,
    dispose: () => {
      for (const parent of live) parent.removeEventListener('abort', abort)
    },
  }
}
