/** More crashes than this within `windowMs` means reloading will not help. */
const MAX_RELOADS = 3

/**
 * Decides whether a crashed renderer is reloaded: yes, unless it keeps crashing (a crash loop would
 * flash the window forever), in which case the user is told to restart the app.
 */
export function crashReloadPolicy(windowMs = 60_000, now: () => number = Date.now) {
  const crashes: number[] = []
  return {
    /** Records a crash; true when the window should be reloaded. */
    shouldReload(): boolean {
      const at = now()
      crashes.push(at)
      while (crashes.length && crashes[0]! <= at - windowMs) crashes.shift()
      return crashes.length <= MAX_RELOADS
    },
  }
}
