import type { EarnSnapshot, JobLogEntry } from '../../../../shared/domain'
import { fleetOf, seenAgo, type FleetRig } from '../../../../shared/fleet'
import { describeEarnState } from './earnText'
import { jobLogStore } from '../../api/appState'
import { useStore } from '../../api/store'

/**
 * Every rig of the account as the grid lists it (AIPG's account workers, the Horde's workers of the user): its
 * state, models, speed, last seen and earnings, offline ones flagged, this PC marked, and totals across rigs.
 */
export function FleetView({ earn }: { earn: EarnSnapshot }) {
  const jobs = useStore(jobLogStore)
  const rigs = earn.account.totals?.rigs
  if (!earn.apiKeyLastFour || !rigs) return null
  // Before a Start with no slot setting, the count is not chosen yet: any of the name's slot names is this PC's.
  const fleet = fleetOf(rigs, { workerName: earn.settings.workerName, slots: earn.slots?.slots ?? earn.settings.slots })
  const unit = earn.settings.network === 'aipg' ? 'den' : 'kudos'
  const localSpeed = lastSpeed(jobs, earn.settings.network)
  const now = Date.now()
  return (
    <section className="account-totals fleet" aria-label="Rigs of this account">
      <header>
        <h2>Rigs of this account</h2>
        <p className="muted" data-fleet="summary">
          {fleet.online} of {fleet.rigs.length} online{fleet.offline > 0 ? `, ${fleet.offline} offline` : ''}
        </p>
      </header>
      {fleet.rigs.length === 0 ? (
        <p className="muted">The grid lists no rigs for this account yet; a rig appears once it has connected.</p>
      ) : (
        <table aria-label="Rigs">
          <thead>
            <tr>
              <th>Rig</th>
              <th>State</th>
              <th>Models</th>
              <th>Tokens/s</th>
              <th>Last seen</th>
              <th>Earned ({unit})</th>
              <th>Jobs</th>
            </tr>
          </thead>
          <tbody>
            {fleet.rigs.map((rig) => (
              <tr key={rig.name} data-rig={rig.name} data-rig-state={rig.state} data-this-rig={rig.thisRig || undefined}>
                <td>
                  {rig.name}
                  {rig.thisRig && <strong> (this rig)</strong>}
                </td>
                <td className={rig.state === 'offline' ? 'error-text' : undefined}>{stateText(rig, earn)}</td>
                <td>{rig.models.length ? rig.models.join(', ') : '–'}</td>
                <td>{speedText(rig.tokensPerSecond ?? (rig.thisRig ? localSpeed : null))}</td>
                <td>{rig.online ? 'now' : seenAgo(rig.lastSeen, now)}</td>
                <td>{rig.rewards === null ? '–' : rig.rewards.toFixed(2)}</td>
                <td>{rig.jobs ?? '–'}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-fleet="totals">
              <th scope="row">All rigs</th>
              <td>
                {fleet.online} / {fleet.rigs.length} online
              </td>
              <td />
              <td />
              <td />
              <td>{fleet.rewards === null ? '–' : fleet.rewards.toFixed(2)}</td>
              <td>{fleet.jobs ?? '–'}</td>
            </tr>
          </tfoot>
        </table>
      )}
    </section>
  )
}

function stateText(rig: FleetRig, earn: EarnSnapshot): string {
  const grid = rig.state === 'offline' ? 'Offline' : rig.state === 'maintenance' ? 'Maintenance' : 'Online'
  // The grid's word lags by a poll; this PC also knows what its own miner is doing now.
  if (!rig.thisRig) return grid
  const local = earn.state === 'paused' && earn.pause ? earn.pause.message : describeEarnState(earn.state)
  return `${grid} · ${local}`
}

/** This PC's speed: the last job it answered with tokens on this network. */
function lastSpeed(jobs: JobLogEntry[], network: EarnSnapshot['settings']['network']): number | null {
  const job = jobs.find((entry) => entry.network === network && entry.state === 'ok' && entry.tokensPerSecond > 0)
  return job ? job.tokensPerSecond : null
}

function speedText(value: number | null): string {
  return value === null ? '–' : value.toFixed(1)
}
