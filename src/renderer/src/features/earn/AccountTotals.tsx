import type { EarnSnapshot } from '../../../../shared/domain'
import { GRID_NAMES } from '../../../../shared/gridChat'
import { refreshAccountTotals } from '../../api/appState'
import { REWARD_UNITS } from './earnText'

/** What the grid says the account has earned, across every rig; the host asks again every 5 minutes and at each start and stop. */
export function AccountTotals({ earn }: { earn: EarnSnapshot }) {
  const { account, settings } = earn
  const reward = REWARD_UNITS[settings.network]
  return (
    <section className="account-totals" aria-label="Account totals">
      <header>
        <h2>Account on the {GRID_NAMES[settings.network]}</h2>
        <button type="button" onClick={() => void refreshAccountTotals()} disabled={!earn.apiKeyLastFour}>
          Refresh
        </button>
      </header>
      {!earn.apiKeyLastFour && <p className="muted">Add your API key to see what your account has earned on the grid.</p>}
      {account.message && (
        <p className="muted" data-testid="account-message">
          {account.message}
        </p>
      )}
      {account.totals && (
        <dl className="earn-stats">
          {account.totals.user && (
            <div>
              <dt>Account</dt>
              <dd>{account.totals.user}</dd>
            </div>
          )}
          <div>
            <dt>
              Earned (<abbr title={reward.explained}>{reward.unit}</abbr>)
            </dt>
            <dd data-account="rewards">{account.totals.rewards.toFixed(2)}</dd>
          </div>
          <div>
            <dt>Jobs</dt>
            <dd data-account="jobs">{account.totals.jobs}</dd>
          </div>
          <div>
            <dt>Workers online</dt>
            <dd>
              {account.totals.workersOnline} / {account.totals.workers}
            </dd>
          </div>
          {account.totals.balance !== null && (
            <div>
              <dt>Balance ({reward.unit})</dt>
              <dd>{account.totals.balance.toFixed(2)}</dd>
            </div>
          )}
        </dl>
      )}
      {account.checkedAt && (
        <p className="muted small" data-testid="account-checked">
          Checked {new Date(account.checkedAt).toLocaleTimeString()}; refreshes by itself every 5 minutes and when mining starts or stops.
        </p>
      )}
    </section>
  )
}
