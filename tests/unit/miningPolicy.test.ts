import { afterEach, describe, expect, it, vi } from 'vitest'
import { LocalUseGate } from '../../src/main/earn/localUseGate.js'
import { MiningGate, POLICY_POLL_MS } from '../../src/main/earn/miningGate.js'
import { DEFAULT_POLICY, evaluatePolicy, type IdleSource } from '../../src/main/earn/miningPolicy.js'
import type { MiningPolicySettings } from '../../src/shared/domain.js'
import { miningPolicySchema } from '../../src/shared/miningPolicySchema.js'

/** 5 January 2026 is a Monday; dates are built in local time, as the schedule is. */
const monday = (hour: number, minute = 0) => new Date(2026, 0, 5, hour, minute).getTime()
const day = (offset: number, hour: number) => new Date(2026, 0, 5 + offset, hour).getTime()

class FakeIdle implements IdleSource {
  idle = 3600
  battery = false
  idleSeconds = () => this.idle
  onBattery = () => this.battery
}

const policy = (change: Partial<MiningPolicySettings>): MiningPolicySettings => ({ ...DEFAULT_POLICY, ...change })

afterEach(() => vi.useRealTimers())

describe('mining policies', () => {
  it('mines only after the PC has been idle for the set minutes; 0 means always', () => {
    const idle = new FakeIdle()
    const fiveMinutes = policy({ idleMinutes: 5 })
    idle.idle = 299
    const paused = evaluatePolicy(fiveMinutes, monday(10), idle)
    expect(paused).toMatchObject({ reason: 'user-active', resumesAt: monday(10) + 1000 })
    expect(paused?.message).toMatch(/^Paused because you are using the PC/)
    idle.idle = 300
    expect(evaluatePolicy(fiveMinutes, monday(10), idle)).toBeNull()
    idle.idle = 0
    expect(evaluatePolicy(policy({ idleMinutes: 0 }), monday(10), idle)).toBeNull()
  })

  it('pauses on battery unless told not to, whatever the idle time', () => {
    const idle = new FakeIdle()
    idle.battery = true
    expect(evaluatePolicy(policy({ pauseOnBattery: true }), monday(10), idle)).toMatchObject({
      reason: 'battery',
      message: expect.stringMatching(/^Paused on battery/),
    })
    expect(evaluatePolicy(policy({ pauseOnBattery: false }), monday(10), idle)).toBeNull()
  })

  it('mines inside day-time windows only and says when it resumes', () => {
    const idle = new FakeIdle()
    const weekdays = policy({ schedule: { enabled: true, windows: [{ days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17 }] } })
    expect(evaluatePolicy(weekdays, monday(9), idle)).toBeNull()
    expect(evaluatePolicy(weekdays, monday(16, 59), idle)).toBeNull()
    expect(evaluatePolicy(weekdays, monday(17), idle)).toMatchObject({
      reason: 'schedule',
      message: 'Paused by schedule (resumes Tue 09:00).',
      resumesAt: day(1, 9),
    })
    // Friday evening: the next window is Monday morning.
    expect(evaluatePolicy(weekdays, day(4, 20), idle)?.message).toBe('Paused by schedule (resumes Mon 09:00).')
    expect(evaluatePolicy(policy({ schedule: { enabled: false, windows: [] } }), day(5, 3), idle)).toBeNull()
  })

  it('runs an overnight window (22 to 6) past midnight into the next day', () => {
    const idle = new FakeIdle()
    const mondayNight = policy({ schedule: { enabled: true, windows: [{ days: [1], startHour: 22, endHour: 6 }] } })
    expect(evaluatePolicy(mondayNight, monday(21, 30), idle)?.message).toBe('Paused by schedule (resumes Mon 22:00).')
    expect(evaluatePolicy(mondayNight, monday(22), idle)).toBeNull()
    expect(evaluatePolicy(mondayNight, monday(23, 59), idle)).toBeNull()
    expect(evaluatePolicy(mondayNight, day(1, 0), idle)).toBeNull()
    expect(evaluatePolicy(mondayNight, day(1, 5), idle)).toBeNull()
    expect(evaluatePolicy(mondayNight, day(1, 6), idle)).toMatchObject({ reason: 'schedule', resumesAt: day(7, 22) })
    // Early Monday morning belongs to Sunday's night, which is not scheduled.
    expect(evaluatePolicy(mondayNight, monday(3), idle)?.reason).toBe('schedule')
  })

  it('puts battery before schedule before the user at the keyboard', () => {
    const idle = new FakeIdle()
    idle.battery = true
    idle.idle = 0
    const all = policy({
      idleMinutes: 1,
      pauseOnBattery: true,
      schedule: { enabled: true, windows: [{ days: [2], startHour: 1, endHour: 2 }] },
    })
    expect(evaluatePolicy(all, monday(10), idle)?.reason).toBe('battery')
    idle.battery = false
    expect(evaluatePolicy(all, monday(10), idle)?.reason).toBe('schedule')
    expect(evaluatePolicy(all, day(1, 1), idle)?.reason).toBe('user-active')
  })

  it('refuses settings that cannot work, each with a reason', () => {
    const bad = [
      policy({ idleMinutes: -1 }),
      policy({ schedule: { enabled: true, windows: [] } }),
      policy({ schedule: { enabled: true, windows: [{ days: [], startHour: 1, endHour: 2 }] } }),
      policy({ schedule: { enabled: true, windows: [{ days: [7], startHour: 1, endHour: 2 }] } }),
      policy({ schedule: { enabled: true, windows: [{ days: [1], startHour: 5, endHour: 5 }] } }),
      policy({
        schedule: {
          enabled: true,
          windows: [
            { days: [1], startHour: 0, endHour: 24 },
            { days: [1, 1], startHour: 1, endHour: 2 },
          ],
        },
      }),
    ]
    for (const settings of bad) expect(miningPolicySchema.safeParse(settings).success, JSON.stringify(settings)).toBe(false)
    expect(
      miningPolicySchema.safeParse(policy({ schedule: { enabled: true, windows: [{ days: [0, 6], startHour: 0, endHour: 24 }] } })).success,
    ).toBe(true)
  })
})

describe('the mining gate', () => {
  it('closes within one poll (2 s) of the user coming back, and opens once they have been idle long enough', async () => {
    vi.useFakeTimers()
    let now = monday(10)
    const idle = new FakeIdle()
    const gate = new MiningGate(new LocalUseGate(30_000, () => now), idle, () => now)
    gate.setPolicy(policy({ idleMinutes: 2 }))
    const closed = vi.fn()
    const changes: Array<string | null> = []
    gate.onClose(closed)
    gate.onChange((pause) => changes.push(pause?.reason ?? null))
    gate.start()
    expect(gate.isOpen()).toBe(true)

    idle.idle = 0
    expect(POLICY_POLL_MS).toBeLessThanOrEqual(2000)
    vi.advanceTimersByTime(POLICY_POLL_MS)
    expect(closed).toHaveBeenCalledTimes(1)
    expect(gate.pause()?.message).toMatch(/using the PC/)

    let opened = false
    void gate.whenOpen().then(() => (opened = true))
    // The user works on, then leaves: 2 minutes without input open the gate at the next poll.
    for (let seconds = 0; seconds < 120; seconds += 2) {
      now += 2000
      idle.idle = seconds
      await vi.advanceTimersByTimeAsync(POLICY_POLL_MS)
      expect(opened).toBe(false)
    }
    idle.idle = 120
    await vi.advanceTimersByTimeAsync(POLICY_POLL_MS)
    expect(opened).toBe(true)
    expect(changes).toEqual(['user-active', null])
    gate.stop()
  })

  it('shows local use of the model as its own pause, with the cooldown from Settings', () => {
    let now = monday(10)
    const local = new LocalUseGate(30_000, () => now)
    const gate = new MiningGate(local, new FakeIdle(), () => now)
    gate.setPolicy(policy({ localCooldownSeconds: 5 }))
    const end = local.beginLocalUse()
    expect(gate.pause()).toMatchObject({ reason: 'local-use', message: expect.stringMatching(/using the model on this PC.*5 s after/) })
    end()
    expect(gate.pause()?.resumesAt).toBe(now + 5000)
    now += 5000
    expect(gate.isOpen()).toBe(true)
  })

  it('schedules by the policy set later, without a restart', () => {
    const now = monday(12)
    const gate = new MiningGate(new LocalUseGate(1000, () => now), new FakeIdle(), () => now)
    expect(gate.isOpen()).toBe(true)
    gate.setPolicy(policy({ schedule: { enabled: true, windows: [{ days: [1], startHour: 22, endHour: 6 }] } }))
    expect(gate.pause()?.message).toBe('Paused by schedule (resumes Mon 22:00).')
  })
})
