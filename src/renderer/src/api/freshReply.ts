import type { Result } from '../../../shared/result'
import type { Store } from './store'

/**
 * Puts the answer to `call` into `store`, unless the store changed while the call was out. The host pushes
 * every change as an event on the same connection, in order, so a change seen meanwhile is as new as the
 * answer or newer. Applied after it (once a slower call beside it returned), the answer would put an older
 * state back with nothing left to correct it: an engine shown "Starting…" for good after it had started.
 */
export async function setUnlessNewer<T, V extends T>(store: Store<T>, call: () => Promise<Result<V>>): Promise<Result<V>> {
  let changed = false
  const stop = store.subscribe(() => (changed = true))
  try {
    const result = await call()
    if (result.ok && !changed) store.set(result.value)
    return result
  } finally {
    stop()
  }
}
