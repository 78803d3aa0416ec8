import { connectionStore } from './bridge'

/** Runs `refresh` now, and again each time the connection to the host comes back after a drop. */
export function refreshOnConnect(refresh: () => Promise<void>): void {
  let wasOpen = connectionStore.get() === 'open'
  connectionStore.subscribe(() => {
    const open = connectionStore.get() === 'open'
    if (open && !wasOpen) void refresh()
    wasOpen = open
  })
  void refresh()
}
