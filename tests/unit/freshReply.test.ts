import { describe, expect, it } from 'vitest'
import { setUnlessNewer } from '../../src/renderer/src/api/freshReply.js'
import { createStore } from '../../src/renderer/src/api/store.js'
import type { Result } from '../../src/shared/result.js'

/** A call whose answer the test hands over when it chooses. */
function heldCall<T>() {
  let answer: (result: Result<T>) => void = () => undefined
  const reply = new Promise<Result<T>>((resolve) => (answer = resolve))
  return { call: () => reply, answer }
}

describe('an answer put into a store the host also pushes to', () => {
  it('is shown when nothing newer arrived while it was out', async () => {
    const engine = createStore<string | null>(null)
    const held = heldCall<string>()
    const applied = setUnlessNewer(engine, held.call)
    held.answer({ ok: true, value: 'starting' })
    await applied
    expect(engine.get()).toBe('starting')
  })

  it('does not replace a state the host pushed after it was asked (the engine stuck on "Starting" once it had started)', async () => {
    const engine = createStore<string | null>(null)
    const held = heldCall<string>()
    const applied = setUnlessNewer(engine, held.call)
    engine.set('idle')
    held.answer({ ok: true, value: 'starting' })
    await applied
    expect(engine.get()).toBe('idle')
  })

  it('leaves the store alone on an error', async () => {
    const engine = createStore<string | null>('idle')
    const held = heldCall<string>()
    const applied = setUnlessNewer(engine, held.call)
    held.answer({ ok: false, error: { code: 'INTERNAL', message: 'Lost the connection to GridForge.' } })
    await expect(applied).resolves.toMatchObject({ ok: false })
    expect(engine.get()).toBe('idle')
  })
})
