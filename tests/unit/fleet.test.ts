import { describe, expect, it } from 'vitest'
import type { AccountRig } from '../../src/shared/domain.js'
import { fleetOf, seenAgo } from '../../src/shared/fleet.js'

const rig = (name: string, online: boolean, extra: Partial<AccountRig> = {}): AccountRig => ({
  name,
  online,
  lastSeen: null,
  models: [],
  rewards: null,
  jobs: null,
  maintenance: false,
  tokensPerSecond: null,
  ...extra,
})

describe('the fleet of an account', () => {
  it('marks every slot name of this rig, puts them first, then the rigs that need a look', () => {
    const fleet = fleetOf(
      [
        rig('b-online', true),
        rig('a-offline', false),
        rig('desk-2', true),
        rig('m-maint', true, { maintenance: true }),
        rig('desk-1', false),
        rig('desk', true),
      ],
      { workerName: 'desk', slots: 2 },
    )
    expect(fleet.rigs.map((entry) => [entry.name, entry.state, entry.thisRig])).toEqual([
      ['desk-1', 'offline', true],
      ['desk-2', 'online', true],
      ['a-offline', 'offline', false],
      ['m-maint', 'maintenance', false],
      ['b-online', 'online', false],
      // With two slots the rig registers desk-1 and desk-2; a bare "desk" is another machine.
      ['desk', 'online', false],
    ])
    expect([fleet.online, fleet.offline]).toEqual([4, 2])
  })

  it('with the slot count chosen at each Start, marks the bare name and every numbered slot name, and nothing else', () => {
    const fleet = fleetOf([rig('desk-2', true), rig('desk', false), rig('desk-1', true), rig('desk-top', true), rig('desk-02', true)], {
      workerName: 'desk',
      slots: null,
    })
    expect(fleet.rigs.filter((entry) => entry.thisRig).map((entry) => entry.name)).toEqual(['desk', 'desk-1', 'desk-2'])
  })

  it('totals only what the grid gave figures for', () => {
    const none = fleetOf([rig('a', true), rig('b', false)], { workerName: '', slots: 1 })
    expect([none.rewards, none.jobs]).toEqual([null, null])
    const some = fleetOf([rig('a', true, { rewards: 1.5, jobs: 3 }), rig('b', false), rig('c', true, { rewards: 2, jobs: 0 })], {
      workerName: 'a',
      slots: 1,
    })
    expect([some.rewards, some.jobs]).toEqual([3.5, 3])
  })

  it('says how long ago a rig was seen', () => {
    const now = 10 * 86_400_000
    expect(seenAgo(null, now)).toBe('unknown')
    expect(seenAgo(now - 20_000, now)).toBe('just now')
    expect(seenAgo(now - 12 * 60_000, now)).toBe('12 min ago')
    expect(seenAgo(now - 3 * 3_600_000, now)).toBe('3 h ago')
    expect(seenAgo(now - 3 * 86_400_000, now)).toBe('3 d ago')
  })
})
