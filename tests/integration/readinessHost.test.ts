import { describe, expect, it } from 'vitest'
import type { ReadinessSnapshot } from '../../src/shared/readiness.js'
import { READINESS_FAMILIES } from '../../src/shared/readiness.js'
import type { EarnSnapshot } from '../../src/shared/domain.js'
import { useTestHost } from './hostHarness.js'

const { host, call } = useTestHost()

function readinessDone(): Promise<ReadinessSnapshot> {
  return new Promise((resolve) => {
    const off = host().events.subscribe((name, payload) => {
      if (name === 'earn.readiness' && (payload as ReadinessSnapshot).state !== 'running') {
        off()
        resolve(payload as ReadinessSnapshot)
      }
    })
  })
}

describe("Check grid readiness (the Earn view's calls)", () => {
  it('runs every family on the loaded model with the limits the miner would advertise, and goes stale when they change', async () => {
    expect(await call<ReadinessSnapshot>('earn.readinessStatus', {})).toMatchObject({ state: 'idle', report: null })
    const earn = await call<EarnSnapshot>('earn.status', {})
    await call('earn.configure', { ...earn.settings, maxLength: 64, maxContextLength: 1_048_576 })
    const done = readinessDone()
    const started = await call<ReadinessSnapshot>('earn.readiness', {})
    expect(started.state).toBe('running')
    const finished = await done
    expect(finished).toMatchObject({ state: 'done', stale: false, modelName: 'stories260K.gguf', message: null })
    const report = finished.report!
    expect(report.results.map((r) => r.family)).toEqual([...READINESS_FAMILIES])
    // Never more context than the loaded model holds, whatever the setting says.
    expect(report.maxContextLength).toBe(host().engine.snapshot().model!.contextSize)
    expect(report.ready).toBe(false)
    expect(report.tokensPerSecond).toBeGreaterThan(0)
    expect(report.results.find((r) => r.family === 'echo')!.completionTokens).toBeLessThanOrEqual(64)

    await call('earn.configure', { ...earn.settings, maxLength: 48 })
    expect(await call<ReadinessSnapshot>('earn.readinessStatus', {})).toMatchObject({ state: 'done', stale: true })
  })
})
