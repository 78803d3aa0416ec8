import type { AlertKind } from '../../shared/alerts.js'
import type { AccountTotals, EarnState, EngineSnapshot, JobRecord } from '../../shared/domain.js'
import { isStrike } from '../../worker/strikes.js'

/** Strikes within this window that make a burst worth telling (AIPG evicts at 6 in 300 s, grid-protocol.md §16.7). */
export const STRIKE_BURST = { count: 3, windowMs: 300_000 }
/** Engine restarts within this window that mean it is crashing in a loop. */
export const RESTART_LOOP = { count: 3, windowMs: 600_000 }

/** What the watch needs from the alert service. */
export interface AlertSink {
  raise(kind: AlertKind, title: string, body: string): boolean
  /** A rig offline this long is worth an alert. */
  offlineMs(): number
}

/** The eviction or re-register cooldown, as the grid words it in its error frame or close (grid-protocol.md §13.2). */
const EVICTION = /evict|cool-?down/i
const PAID = new Set(['sent', 'confirmed', 'paid', 'completed'])

/**
 * Turns the services' events into alerts: each method is fed one service's event by the host, keeps the
 * little it must remember (strike and restart times, rigs seen offline, payouts already told) and raises
 * an alert the moment a condition starts, once per episode.
 */
export class AlertWatch {
  private strikes: number[] = []
  private restarts: number[] = []
  private restartCount: number | null = null
  private readonly offlineSince = new Map<string, number>()
  private readonly offlineTold = new Set<string>()
  private paidSeen: Set<string> | null = null
  private evictionTold: string | null = null

  constructor(
    private readonly sink: AlertSink,
    private readonly now: () => number = Date.now,
  ) {}

  /** The account poller's totals: rigs offline for long enough, payouts sent since the last look. */
  account(account: AccountTotals): void {
    if (account.state !== 'ok') return
    this.rigs(account.totals?.rigs ?? [])
    this.payouts(account.payouts?.payouts ?? null)
  }

  /** The miner's snapshot: this rig evicted or in the grid's cooldown. */
  miner(snapshot: { state: EarnState; detail: string | null }): void {
    const evicted =
      (snapshot.state === 'error' || snapshot.state === 'backoff' || snapshot.state === 'off') &&
      snapshot.detail &&
      EVICTION.test(snapshot.detail)
    if (!evicted) {
      if (snapshot.state === 'working') this.evictionTold = null
      return
    }
    if (this.evictionTold === snapshot.detail) return
    this.evictionTold = snapshot.detail
    this.sink.raise(
      'evicted',
      'This rig was evicted by the grid',
      `${snapshot.detail} Check the model's answers (empty replies and errors are strikes).`,
    )
  }

  /** Each job answered: an AIPG strike (a failed or empty answer, not a client error) counts toward a burst. */
  job(record: JobRecord): void {
    if (record.network !== 'aipg') return
    if (record.state === 'ok' && record.completionTokens > 0) {
      // A successful job clears the grid's strikes (grid-protocol.md §16.7).
      this.strikes = []
      return
    }
    // A request refused as the client's fault (client_error) is no strike on the grid, so none here.
    if (!isStrike(record)) return
    const now = this.now()
    this.strikes = [...this.strikes.filter((at) => now - at < STRIKE_BURST.windowMs), now]
    if (this.strikes.length !== STRIKE_BURST.count) return
    this.sink.raise(
      'strike-burst',
      'Strikes are piling up',
      `${STRIKE_BURST.count} failed or empty answers (not client errors) in ${STRIKE_BURST.windowMs / 60_000} minutes; the grid evicts a worker at 6. Check the model and the rig.`,
    )
  }

  /** The engine's snapshot: its process restarted several times in a short while. */
  engine(snapshot: Pick<EngineSnapshot, 'restarts'>): void {
    const before = this.restartCount
    this.restartCount = snapshot.restarts
    if (before === null || snapshot.restarts <= before) return
    const now = this.now()
    this.restarts = [...this.restarts.filter((at) => now - at < RESTART_LOOP.windowMs), now]
    if (this.restarts.length !== RESTART_LOOP.count) return
    this.sink.raise(
      'engine-restarts',
      'The engine keeps crashing',
      `The model engine restarted ${RESTART_LOOP.count} times in ${RESTART_LOOP.windowMs / 60_000} minutes; the model file or the GPU driver may be at fault.`,
    )
  }

  /** The thermal guard: the GPU went over its limit. */
  thermal(event: { hot: boolean; temperatureC: number | null; limitC: number }): void {
    if (!event.hot) return
    const reading = event.temperatureC === null ? '' : ` at ${Math.round(event.temperatureC)} °C`
    this.sink.raise(
      'gpu-hot',
      'The GPU is too hot',
      `The GPU is${reading}, over the ${event.limitC} °C limit; mining is paused until it cools down.`,
    )
  }

  private rigs(rigs: NonNullable<NonNullable<AccountTotals['totals']>['rigs']>): void {
    const now = this.now()
    const listed = new Set(rigs.map((rig) => rig.name))
    for (const name of [...this.offlineSince.keys()]) {
      if (!listed.has(name)) this.forget(name)
    }
    const newlyLong: string[] = []
    for (const rig of rigs) {
      if (rig.online) {
        this.forget(rig.name)
        continue
      }
      // Offline since the grid last heard from it, or since this host first saw it offline.
      const known = this.offlineSince.get(rig.name) ?? now
      const since = Math.min(known, rig.lastSeen ?? known)
      this.offlineSince.set(rig.name, since)
      if (now - since >= this.sink.offlineMs() && !this.offlineTold.has(rig.name)) newlyLong.push(rig.name)
    }
    if (newlyLong.length === 0) return
    const minutes = Math.round(this.sink.offlineMs() / 60_000)
    const names = newlyLong.map((name) => `"${name}"`).join(', ')
    const told = this.sink.raise(
      'rig-offline',
      newlyLong.length === 1 ? 'A rig is offline' : `${newlyLong.length} rigs are offline`,
      `${names} ${newlyLong.length === 1 ? 'has' : 'have'} been offline for ${minutes} minutes or more.`,
    )
    if (told) for (const name of newlyLong) this.offlineTold.add(name)
  }

  private forget(name: string): void {
    this.offlineSince.delete(name)
    this.offlineTold.delete(name)
  }

  private payouts(payouts: NonNullable<AccountTotals['payouts']>['payouts'] | null): void {
    if (!payouts) return
    const paid = payouts.filter((payout) => payout.txHash && PAID.has(payout.status.toLowerCase()))
    // The first list seeds what was paid before this host started: only later payouts are news.
    if (!this.paidSeen) {
      this.paidSeen = new Set(paid.map((payout) => payout.periodId))
      return
    }
    const fresh = paid.filter((payout) => !this.paidSeen?.has(payout.periodId))
    if (fresh.length === 0) return
    for (const payout of fresh) this.paidSeen.add(payout.periodId)
    const aipg = fresh.reduce((sum, payout) => sum + payout.aipg, 0)
    this.sink.raise(
      'payout-sent',
      'A payout was sent',
      `${formatAipg(aipg)} AIPG ${fresh.length === 1 ? 'was' : 'were'} sent to the account's wallet.`,
    )
  }
}

function formatAipg(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 4 })
}
