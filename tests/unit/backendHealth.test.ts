import { describe, expect, it } from 'vitest'
import { BackendError } from '../../src/worker/bridge/backendError.js'
import { createBackendHealth } from '../../src/worker/bridge/backendHealth.js'
import { FakeClock } from '../support/workerFakes.js'

/** A server check the test answers: serving, or failing with a sentence. */
function scriptedCheck() {
  const state = { failure: null as string | null, calls: 0 }
  const check = async () => {
    state.calls++
    if (state.failure) throw new BackendError('unreachable', state.failure)
  }
  return { state, check }
}

describe('the bridge health gate', () => {
  it('stays closed until a check passes, then checks on the slow interval while serving', async () => {
    const clock = new FakeClock()
    const { state, check } = scriptedCheck()
    state.failure = 'Could not reach the inference server at http://127.0.0.1:11434.'
    const health = createBackendHealth(check, clock, { upMs: 30_000, downMs: 5_000 })
    const stop = new AbortController()
    const running = health.run(stop.signal)
    await clock.advance(0)
    expect(health.gate.isOpen()).toBe(false)
    expect(health.gate.reason?.()).toBe(state.failure)
    let opened = false
    void health.gate.whenOpen().then(() => (opened = true))
    state.failure = null
    await clock.advance(4_999)
    expect(opened).toBe(false)
    await clock.advance(1)
    expect(opened).toBe(true)
    expect(health.gate.reason?.()).toBeNull()
    const calls = state.calls
    await clock.advance(29_999)
    expect(state.calls).toBe(calls)
    await clock.advance(1)
    expect(state.calls).toBe(calls + 1)
    stop.abort()
    await running
  })

  it('closes at once when a job sees the server fail, tells the job loop, and waits out Retry-After before checking again', async () => {
    const clock = new FakeClock()
    const { state, check } = scriptedCheck()
    const health = createBackendHealth(check, clock, { upMs: 30_000, downMs: 5_000 })
    const stop = new AbortController()
    const running = health.run(stop.signal)
    await clock.advance(0)
    expect(health.gate.isOpen()).toBe(true)
    let closes = 0
    health.gate.onClose(() => closes++)
    const calls = state.calls
    health.reportFailure(new BackendError('rate-limited', 'The inference server is busy (429).', 60_000))
    expect(health.gate.isOpen()).toBe(false)
    expect(closes).toBe(1)
    expect(health.gate.reason?.()).toBe('The inference server is busy (429).')
    await clock.advance(59_999)
    expect(state.calls).toBe(calls)
    expect(health.gate.isOpen()).toBe(false)
    await clock.advance(1)
    expect(state.calls).toBe(calls + 1)
    expect(health.gate.isOpen()).toBe(true)
    stop.abort()
    await running
  })
})
