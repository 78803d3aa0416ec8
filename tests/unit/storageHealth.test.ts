import { describe, expect, it, vi } from 'vitest'
import { diskFullError, withStorage } from '../../src/main/store/storageErrors.js'
import { FULL_DISK_CHECK_MS, RECOVERED_FREE_BYTES, StorageHealth } from '../../src/main/store/storageHealth.js'
import type { StorageStatus } from '../../src/shared/storage.js'

describe('storage health', () => {
  it('stays read-only while the disk is full and says writable again once there is room, looking by itself', () => {
    vi.useFakeTimers()
    try {
      let free = 0
      const health = new StorageHealth('/data', { freeBytes: () => free })
      const seen: StorageStatus[] = []
      health.events.on('storage.status', (status) => seen.push(status))
      expect(health.status().writable).toBe(true)
      health.markFull()
      expect(health.status()).toEqual({ writable: false, reason: expect.stringContaining('The disk holding /data is full') })
      free = RECOVERED_FREE_BYTES - 1
      vi.advanceTimersByTime(FULL_DISK_CHECK_MS * 3)
      expect(health.status().writable).toBe(false)
      free = RECOVERED_FREE_BYTES
      vi.advanceTimersByTime(FULL_DISK_CHECK_MS)
      expect(health.status()).toEqual({ writable: true, reason: null })
      expect(seen.map((status) => status.writable)).toEqual([false, true])
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('turns read-only when any write finds the disk full while the app runs, and looks again when asked', () => {
    let free = 0
    const health = new StorageHealth('/data', { freeBytes: () => free })
    try {
      const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
      expect(() =>
        withStorage(() => {
          throw full
        }),
      ).toThrow(/disk is full/)
      expect(health.status()).toEqual({ writable: false, reason: expect.stringContaining('The disk holding /data is full') })
      free = RECOVERED_FREE_BYTES
      expect(health.status()).toEqual({ writable: true, reason: null })
    } finally {
      health.close()
    }
    diskFullError()
    expect(health.status().writable).toBe(true)
  })
})
