import type { EarnSnapshot, Payout } from '../../../../shared/domain'
import { explorerTxUrl } from '../../../../shared/explorer'

/** AIPG's payouts for the account: accrued and paid AIPG, each hourly settlement with its transaction on Base. */
export function Payouts({ earn }: { earn: EarnSnapshot }) {
  if (earn.settings.network !== 'aipg') return null
  const { account } = earn
  const payouts = account.payouts ?? null
  return (
    <section className="account-totals payouts" aria-label="Payouts">
      <header>
        <h2>Payouts</h2>
      </header>
      {!earn.apiKeyLastFour && <p className="muted">Add your API key to see what the grid has paid your wallet.</p>}
      {earn.apiKeyLastFour && account.state === 'unavailable' && (
        <p className="muted" data-testid="payouts-unavailable">
          {payouts ? 'Payouts unavailable right now; these are the last the grid reported.' : 'Payouts unavailable.'}
        </p>
      )}
      {account.state === 'ok' && !payouts && <p className="muted">The grid does not report payouts for this account.</p>}
      {payouts && (
        <>
          <dl className="earn-stats">
            <div>
              <dt>Accrued (AIPG)</dt>
              <dd data-payouts="accrued">{formatAipg(payouts.accruedAipg)}</dd>
            </div>
            <div>
              <dt>Paid (AIPG)</dt>
              <dd data-payouts="paid">{formatAipg(payouts.paidAipg)}</dd>
            </div>
          </dl>
          {payouts.payouts.length === 0 ? (
            <p className="muted">No payouts yet: the grid settles hourly once at least 0.01 AIPG has accrued.</p>
          ) : (
            <table aria-label="Payout list">
              <thead>
                <tr>
                  <th>Period</th>
                  <th>Den</th>
                  <th>AIPG</th>
                  <th>Status</th>
                  <th>Transaction</th>
                </tr>
              </thead>
              <tbody>
                {payouts.payouts.map((payout) => (
                  <tr key={payout.periodId} data-status={payout.status}>
                    <td>{payout.periodId}</td>
                    <td>{payout.den.toFixed(2)}</td>
                    <td>{formatAipg(payout.aipg)}</td>
                    <td>{payout.status}</td>
                    <td>
                      <TransactionLink payout={payout} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  )
}

function TransactionLink({ payout }: { payout: Payout }) {
  const url = explorerTxUrl(payout.txHash)
  if (!url || !payout.txHash) return <span className="muted">not sent yet</span>
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" title={payout.txHash}>
      {`${payout.txHash.slice(0, 10)}…${payout.txHash.slice(-6)}`}
    </a>
  )
}

function formatAipg(amount: number): string {
  return amount.toFixed(amount !== 0 && amount < 0.01 ? 4 : 2)
}
