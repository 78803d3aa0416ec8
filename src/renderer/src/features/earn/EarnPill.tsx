import { earnCardState, isMinerOn } from '../../../../shared/minerStatus'
import { earnStore } from '../../api/appState'
import { goTo } from '../../api/navigation'
import { quickStartStore } from '../../api/onboardingState'
import { useStore } from '../../api/store'
import { earnHeadline, formatRate, liveTokensPerSecond } from './earnHeadline'
import { useSecondTick } from './useSecondTick'

/** The miner's state in the sidebar ("Earning · 23 tok/s"), seen from every view; absent while not earning. */
export function EarnPill() {
  const earn = useStore(earnStore)
  const starting = useStore(quickStartStore)?.phase === 'running'
  useSecondTick(!!earn && isMinerOn(earn.state) && earn.running.length > 0)
  if (!earn) return null
  const cardState = earnCardState(earn.state, starting)
  if (cardState === 'off') return null
  const headline = earnHeadline(cardState, null)
  const live = liveTokensPerSecond(earn.running, Date.now())
  const detail = live !== null ? formatRate(live) : cardState === 'waiting' ? 'waiting' : null
  const text = detail ? `${headline.word} · ${detail}` : headline.word
  // A link to the Earn view, not a button: the view bar's buttons stay the only ones named after views.
  return (
    <a
      href="#"
      className="earn-pill"
      data-tone={headline.tone}
      data-live={live !== null}
      data-testid="earn-pill"
      aria-label={text}
      onClick={(event) => {
        // The address's fragment holds the access token: leave it alone.
        event.preventDefault()
        goTo('earn')
      }}
    >
      <span className="earn-pill-head">
        <span className="earn-pill-dot" aria-hidden="true" />
        <span className="earn-pill-word">{headline.word}</span>
      </span>
      {detail && (
        <span className="earn-pill-detail" data-kind={live !== null ? 'rate' : 'note'}>
          <span className="earn-pill-sep">· </span>
          {detail}
        </span>
      )}
    </a>
  )
}
