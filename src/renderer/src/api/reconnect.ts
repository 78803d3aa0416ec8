import { connectionStore } from './bridge'

/** Runs `refresh` once connected (now, when already), and again each time the connection comes back after a drop. */
export function refreshOnConnect(refresh: () => Promise<void>): void {
  let wasOpen = connectionStore.get() === 'open'
  connectionStore.subscribe(() => {
    const open = connectionStore.get() === 'open'
    if (open && !wasOpen) void refresh()
    wasOpen = open
  })
  // A browser still connecting runs it on the first open above; running it now as well read everything twice.
  if (wasOpen) void refresh()
}
