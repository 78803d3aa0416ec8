import { describe, expect, it } from 'vitest'
import { AlertWatch, RESTART_LOOP, STRIKE_BURST } from '../../src/main/alerts/alertWatch.js'
import type { AlertKind } from '../../src/shared/alerts.js'
import type { AccountTotals, JobRecord, Payout } from '../../src/shared/domain.js'

const MINUTE = 60_000

/** A fake clock and a sink that records what would be raised. */
function watch(offlineMinutes = 10) {
  const clock = { now: 1_000_000_000_000 }
  const raised: Array<{ kind: AlertKind; title: string; body: string }> = []
  const alerts = new AlertWatch(
    { raise: (kind, title, body) => (raised.push({ kind, title, body }), true), offlineMs: () => offlineMinutes * MINUTE },
    () => clock.now,
  )
  return { clock, raised, alerts, kinds: () => raised.map((alert) => alert.kind) }
}

const account = (
  rigs: Array<{ name: string; online: boolean; lastSeen?: number | null }>,
  payouts: Payout[] | null = null,
): AccountTotals => ({
  state: 'ok',
  totals: {
    user: null,
    rewards: 0,
    jobs: 0,
    workers: rigs.length,
    workersOnline: rigs.filter((rig) => rig.online).length,
    balance: null,
    rigs: rigs.map((rig) => ({ lastSeen: null, models: [], rewards: null, jobs: null, maintenance: false, tokensPerSecond: null, ...rig })),
  },
  message: null,
  checkedAt: 0,
  jobs: null,
  payouts: payouts && { accruedAipg: 0, paidAipg: 0, payouts },
})

const job = (
  state: JobRecord['state'],
  completionTokens = 10,
  network: JobRecord['network'] = 'aipg',
  error = 'Generation failed: the engine process exited.',
): JobRecord => ({
  network,
  jobId: `job-${Math.random()}`,
  model: 'm',
  promptTokens: 5,
  completionTokens,
  durationMs: 100,
  tokensPerSecond: 10,
  reward: 0,
  state,
  error: state === 'ok' ? null : error,
  startedAt: 0,
  finishedAt: 0,
})

const payout = (periodId: string, aipg: number, status = 'sent'): Payout => ({
  periodId,
  den: 1,
  aipg,
  status,
  txHash: `0x${periodId}`,
  address: '0xabc',
})

describe('alerts from the services’ events', () => {
  it('tells a rig offline once it has been offline for the set minutes, once per outage', () => {
    const { clock, raised, alerts, kinds } = watch(10)
    alerts.account(
      account([
        { name: 'rig-a', online: true },
        { name: 'rig-b', online: false },
      ]),
    )
    clock.now += 9 * MINUTE
    alerts.account(
      account([
        { name: 'rig-a', online: true },
        { name: 'rig-b', online: false },
      ]),
    )
    expect(kinds()).toEqual([])
    clock.now += MINUTE
    alerts.account(
      account([
        { name: 'rig-a', online: true },
        { name: 'rig-b', online: false },
      ]),
    )
    expect(raised).toEqual([expect.objectContaining({ kind: 'rig-offline', body: '"rig-b" has been offline for 10 minutes or more.' })])
    clock.now += 30 * MINUTE
    alerts.account(account([{ name: 'rig-b', online: false }]))
    expect(raised).toHaveLength(1)
    // Back, then gone again: a new outage is a new alert.
    alerts.account(account([{ name: 'rig-b', online: true }]))
    alerts.account(account([{ name: 'rig-b', online: false }]))
    clock.now += 10 * MINUTE
    alerts.account(account([{ name: 'rig-b', online: false }]))
    expect(kinds()).toEqual(['rig-offline', 'rig-offline'])
  })

  it('counts a rig offline from when the grid last saw it', () => {
    const { clock, alerts, kinds } = watch(10)
    alerts.account(account([{ name: 'rig-c', online: false, lastSeen: clock.now - 15 * MINUTE }]))
    expect(kinds()).toEqual(['rig-offline'])
  })

  it('tells an eviction or cooldown the miner reports once, and again after the rig worked', () => {
    const { alerts, raised, kinds } = watch()
    const detail = "The grid refused this worker: worker evicted, cooldown 120s. Check the key's worker scope and the worker name."
    alerts.miner({ state: 'backoff', detail: 'Connection closed (1006).' })
    alerts.miner({ state: 'error', detail })
    alerts.miner({ state: 'error', detail })
    expect(raised).toEqual([expect.objectContaining({ kind: 'evicted', body: expect.stringContaining('worker evicted, cooldown 120s') })])
    alerts.miner({ state: 'working', detail: null })
    alerts.miner({ state: 'error', detail })
    expect(kinds()).toEqual(['evicted', 'evicted'])
  })

  it('tells a burst of strikes within five minutes, and a successful job clears the count', () => {
    const { clock, alerts, kinds } = watch()
    alerts.job(job('error'))
    alerts.job(job('ok', 0))
    alerts.job(job('ok'))
    alerts.job(job('error'))
    expect(kinds()).toEqual([])
    alerts.job(job('error'))
    alerts.job(job('error', 0, 'horde'))
    clock.now += STRIKE_BURST.windowMs
    alerts.job(job('error'))
    expect(kinds()).toEqual([])
    alerts.job(job('faulted'))
    alerts.job(job('ok', 0))
    expect(kinds()).toEqual(['strike-burst'])
  })

  it('counts no strike for a request refused as the client’s fault (client_error), as the grid counts none', () => {
    const { alerts, kinds } = watch()
    const clientError = () => job('error', 0, 'aipg', 'The prompt is longer than the context this worker advertises.')
    for (let i = 0; i < STRIKE_BURST.count + 2; i++) alerts.job(clientError())
    expect(kinds()).toEqual([])
    // Nor do they clear the strikes the grid did count.
    alerts.job(job('error'))
    alerts.job(clientError())
    alerts.job(job('faulted'))
    alerts.job(job('ok', 0))
    expect(kinds()).toEqual(['strike-burst'])
  })

  it('tells the engine restarting in a loop, not a single restart', () => {
    const { clock, alerts, kinds } = watch()
    alerts.engine({ restarts: 0 })
    alerts.engine({ restarts: 1 })
    clock.now += RESTART_LOOP.windowMs
    alerts.engine({ restarts: 2 })
    alerts.engine({ restarts: 2 })
    alerts.engine({ restarts: 3 })
    expect(kinds()).toEqual([])
    alerts.engine({ restarts: 4 })
    expect(kinds()).toEqual(['engine-restarts'])
  })

  it('tells a payout sent after the host started, not those paid before', () => {
    const { alerts, raised } = watch()
    alerts.account(account([], [payout('p1', 1.5)]))
    alerts.account(account([], [payout('p1', 1.5), payout('p2', 0.25, 'pending')]))
    expect(raised).toEqual([])
    alerts.account(account([], [payout('p1', 1.5), payout('p2', 0.25, 'confirmed')]))
    expect(raised).toEqual([expect.objectContaining({ kind: 'payout-sent', body: "0.25 AIPG was sent to the account's wallet." })])
  })

  it('tells the GPU going over its limit, not its cooling down', () => {
    const { alerts, raised } = watch()
    alerts.thermal({ hot: true, temperatureC: 92.4, limitC: 90 })
    alerts.thermal({ hot: false, temperatureC: 79, limitC: 90 })
    expect(raised).toEqual([
      expect.objectContaining({
        kind: 'gpu-hot',
        body: 'The GPU is at 92 °C, over the 90 °C limit; mining is paused until it cools down.',
      }),
    ])
  })
})
