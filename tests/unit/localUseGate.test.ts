import { describe, expect, it, vi } from 'vitest'
import { LocalUseGate } from '../../src/main/earn/localUseGate.js'

describe('the local-use gate (mining yields to the user)', () => {
  it('stays closed during local use and for the cooldown after it ends', () => {
    vi.useFakeTimers()
    try {
      const gate = new LocalUseGate(30_000, () => Date.now())
      const closes = vi.fn()
      gate.onClose(closes)
      expect(gate.isOpen()).toBe(true)
      const end = gate.beginLocalUse()
      expect(gate.isOpen()).toBe(false)
      expect(closes).toHaveBeenCalledTimes(1)
      vi.advanceTimersByTime(120_000)
      expect(gate.isOpen()).toBe(false)
      end()
      vi.advanceTimersByTime(29_000)
      expect(gate.isOpen()).toBe(false)
      vi.advanceTimersByTime(1_000)
      expect(gate.isOpen()).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })

  it('wakes waiters only when the last of several uses has ended and cooled down', async () => {
    vi.useFakeTimers()
    try {
      const gate = new LocalUseGate(1_000, () => Date.now())
      const endChat = gate.beginLocalUse()
      const endApi = gate.beginLocalUse()
      let opened = false
      void gate.whenOpen().then(() => (opened = true))
      endChat()
      await vi.advanceTimersByTimeAsync(5_000)
      expect(opened).toBe(false)
      endApi()
      await vi.advanceTimersByTimeAsync(1_000)
      expect(opened).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })
})
