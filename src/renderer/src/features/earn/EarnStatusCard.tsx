import type { ReactNode } from 'react'
import type { EarnSnapshot, GridNetwork, JobLogEntry } from '../../../../shared/domain'
import { GRID_NAMES } from '../../../../shared/gridChat'
import type { EarnCardState } from '../../../../shared/minerStatus'
import { earnHeadline, formatRate, liveTokensPerSecond } from './earnHeadline'
import { REWARD_UNITS } from './earnText'
import { useTodayTotals } from './useTodayTotals'
import { slotChoiceText } from '../../../../shared/slotChoiceText'

const NETWORKS: GridNetwork[] = ['aipg', 'horde']

/**
 * The miner's dashboard at the top of Earn: the state in one big word with its reason, what is mined where
 * and as whom, the live tokens/s of the jobs running now, and today's jobs and rewards per network.
 */
export function EarnStatusCard(props: {
  earn: EarnSnapshot
  cardState: EarnCardState
  /** The model mined (or to be mined), the grid and the worker name; null when there is no model to name. */
  target: { model: string; mining: boolean } | null
  lastJob: JobLogEntry | null
  /** Start or Stop, beside the headline. */
  action: ReactNode
  children?: ReactNode
}) {
  const { earn, cardState, target, lastJob } = props
  const headline = earnHeadline(cardState, earn.pause?.message ?? null)
  const live = liveTokensPerSecond(earn.running, Date.now())
  const today = useTodayTotals(`${earn.sinceStart.jobs}|${earn.sinceStart.rewards}`)
  const gridName = GRID_NAMES[earn.settings.network] + (earn.settings.gridUrl ? ` (${earn.settings.gridUrl})` : '')
  // Rewards today in every unit earned today, and always in the chosen grid's unit.
  const shown = NETWORKS.filter((network) => network === earn.settings.network || (today?.rewards[network] ?? 0) > 0)
  return (
    <div className="earn-status">
      <div className="earn-status-head">
        <p className="earn-state" role="status" data-earn-state={cardState} data-tone={headline.tone}>
          <span className="earn-word">{headline.word}</span>
          {headline.reason && <span className="earn-reason">{headline.reason}</span>}
        </p>
        {props.action}
      </div>
      {target && (
        <p className="earn-mining" data-testid="earn-mining">
          {target.mining ? 'Mining' : 'Will mine'} <strong>{target.model}</strong> on <strong>{gridName}</strong> as{' '}
          <strong>{earn.settings.workerName}</strong>
        </p>
      )}
      <dl className="earn-live" aria-label="Now and today">
        <div data-fact="rate">
          <dt>{live !== null ? 'Tokens/s now' : 'Last job'}</dt>
          <dd data-testid="earn-rate">
            {live !== null ? formatRate(live) : lastJob && lastJob.tokensPerSecond > 0 ? formatRate(lastJob.tokensPerSecond) : '–'}
          </dd>
        </div>
        <div data-fact="jobs-today">
          <dt>Jobs today</dt>
          <dd data-testid="earn-jobs-today">{today ? today.jobs : '–'}</dd>
        </div>
        {shown.map((network) => (
          <div key={network} data-fact={`rewards-today-${network}`}>
            <dt>
              {GRID_NAMES[network]} today (<abbr title={REWARD_UNITS[network].explained}>{REWARD_UNITS[network].unit}</abbr>)
            </dt>
            <dd data-testid={`earn-today-${network}`}>{today ? today.rewards[network].toFixed(2) : '–'}</dd>
          </div>
        ))}
        <div data-fact="slots">
          <dt>Slots</dt>
          <dd data-testid="earn-slots">{slotsFact(earn)}</dd>
        </div>
      </dl>
      {props.children}
    </div>
  )
}

/**
 * The slots of the run in progress and why; while off, what the next Start does: the setting, or the count
 * last chosen for this PC (chosen again when the model or the PC changed).
 */
function slotsFact(earn: EarnSnapshot): string {
  const running = earn.state !== 'off' && earn.state !== 'error'
  if (running && earn.slots) return slotChoiceText(earn.slots)
  if (earn.settings.slots !== null) return slotChoiceText({ slots: earn.settings.slots, source: 'setting', measurements: [] })
  return earn.slots?.source === 'calibrated' ? slotChoiceText(earn.slots) : 'chosen for this PC at Start'
}
