import { describe, expect, it } from 'vitest'
import { freshRun, trackUnreachable, uptimeMs } from '../../src/shared/uptime.js'

describe('uptime', () => {
  it('stops while the grid cannot be reached and goes on when it answers again', () => {
    let run = freshRun(0)
    expect(uptimeMs(run, 10_000)).toBe(10_000)
    run = trackUnreachable(run, true, 10_000)
    expect(uptimeMs(run, 40_000)).toBe(10_000)
    run = trackUnreachable(run, false, 40_000)
    expect(uptimeMs(run, 45_000)).toBe(15_000)
    // A run that ended while unreachable keeps the uptime it had.
    run = { ...trackUnreachable(run, true, 50_000), endedAt: 90_000 }
    expect(uptimeMs(run, 200_000)).toBe(20_000)
  })
})
