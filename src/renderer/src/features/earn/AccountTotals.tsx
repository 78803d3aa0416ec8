import type { EarnSnapshot } from '../../../../shared/domain'
import { refreshAccountTotals } from '../../api/appState'

/** What the grid says the account has earned, across every rig; refreshed by the host every few minutes. */
export function AccountTotals({ earn }: { earn: EarnSnapshot }) {
  const { account, settings } = earn
  const unit = settings.network === 'aipg' ? 'den' : 'kudos'
  return (
    <section className="account-totals" aria-label="Account totals">
      <header>
        <h2>Account on the grid</h2>
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
            <dt>Earned ({unit})</dt>
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
              <dt>Balance</dt>
              <dd>{account.totals.balance.toFixed(2)}</dd>
            </div>
          )}
        </dl>
      )}
      {account.checkedAt && <p className="muted small">Checked {new Date(account.checkedAt).toLocaleTimeString()}</p>}
    </section>
  )
}
