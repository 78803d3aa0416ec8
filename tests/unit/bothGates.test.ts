import { describe, expect, it } from 'vitest'
import { bothGates } from '../../src/worker/bridge/bothGates.js'
import type { JobGate } from '../../src/worker/ports.js'

/** A gate the test opens and closes by hand. */
function handGate(reason: string) {
  let open = true
  const waiters = new Set<() => void>()
  const closers = new Set<() => void>()
  const gate: JobGate = {
    isOpen: () => open,
    whenOpen: () => (open ? Promise.resolve() : new Promise<void>((resolve) => waiters.add(resolve))),
    onClose: (listener) => {
      closers.add(listener)
      return () => closers.delete(listener)
    },
    reason: () => (open ? null : reason),
  }
  return {
    gate,
    set(next: boolean) {
      open = next
      if (!next) for (const listener of closers) listener()
      else {
        for (const resolve of [...waiters]) resolve()
        waiters.clear()
      }
    },
  }
}

describe('the miner gate in bridge mode (policies and the server together)', () => {
  it('is open only while both are, says which holds it, and opens once both are open again', async () => {
    const policies = handGate('Paused: you are using the PC.')
    const server = handGate('The inference server failed (503): Loading model.')
    const gate = bothGates(policies.gate, server.gate)
    const closed: string[] = []
    gate.onClose(() => closed.push(gate.reason?.() ?? 'none'))
    expect(gate.isOpen()).toBe(true)
    server.set(false)
    expect(gate.isOpen()).toBe(false)
    expect(gate.reason?.()).toBe('The inference server failed (503): Loading model.')
    policies.set(false)
    expect(gate.reason?.()).toBe('Paused: you are using the PC.')
    let opened = false
    const waiting = gate.whenOpen().then(() => (opened = true))
    policies.set(true)
    await Promise.resolve()
    expect(opened).toBe(false)
    server.set(true)
    await waiting
    expect(gate.isOpen()).toBe(true)
    expect(closed).toEqual(['The inference server failed (503): Loading model.', 'Paused: you are using the PC.'])
  })
})
