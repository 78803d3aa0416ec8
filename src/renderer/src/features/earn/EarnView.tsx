import { useEffect, useState } from 'react'
import { earnCardState, isMinerOn } from '../../../../shared/minerStatus'
import { uptimeMs as uptimeOf } from '../../../../shared/uptime'
import { earnStore, engineStore, errorStore, jobLogStore, localModelsStore, startEarning, stopEarning } from '../../api/appState'
import { catalogStore, refreshModels } from '../../api/modelsState'
import { cancelQuickStart, onboardingDoneStore, onboardingErrorStore, quickStartStore, startQuickStart } from '../../api/onboardingState'
import { useStore } from '../../api/store'
import { bridgeStore } from '../../api/bridgeState'
import { BridgePanel } from '../bridge/BridgePanel'
import { Onboarding } from '../onboarding/Onboarding'
import { QuickStartProgress } from '../onboarding/QuickStartProgress'
import { AccountTotals } from './AccountTotals'
import { EarnChart } from './EarnChart'
import { EarnSettingsForm } from './EarnSettingsForm'
import { EarningsAdvisor } from './EarningsAdvisor'
import { FleetView } from './FleetView'
import { IdentityPanel } from './IdentityPanel'
import { JobLog } from './JobLog'
import { MiningPolicyForm } from './MiningPolicyForm'
import { ModelRateNote } from './ModelRateNote'
import { Payouts } from './Payouts'
import { ReadinessPanel } from './ReadinessPanel'
import { EarnTarget } from './EarnTarget'
import { defaultEarnModel, earnModelOptions, earnStartPlan } from './earnModelChoice'
import { REWARD_UNITS, formatDuration } from './earnText'
import { EarnStatusCard } from './EarnStatusCard'
import { useSecondTick } from './useSecondTick'
import { slotsInUse } from '../../../../shared/slotChoiceText'

/** Earn: a large Start/Stop, what the PC is doing in words, the jobs now and since Start, the job log. */
export function EarnView() {
  const earn = useStore(earnStore)
  const engine = useStore(engineStore)
  const jobs = useStore(jobLogStore)
  const actionError = useStore(errorStore)
  const quickStartError = useStore(onboardingErrorStore)
  const error = actionError ?? quickStartError
  const onboardingDone = useStore(onboardingDoneStore)
  const quickStart = useStore(quickStartStore)
  const bridged = useStore(bridgeStore)?.mode === 'server'
  const local = useStore(localModelsStore)
  const catalog = useStore(catalogStore)
  const [setupOpen, setSetupOpen] = useState(false)
  const [picked, setPicked] = useState<string | null>(null)
  const running = !!earn && isMinerOn(earn.state)
  const starting = quickStart?.phase === 'running'
  useEffect(() => {
    if (catalog.length === 0) void refreshModels()
  }, [catalog.length])
  // Uptime and tokens/s move every second even when no event arrives.
  useSecondTick(running)
  // First run: mining was never set up (no key, onboarding neither finished nor skipped). The setup then
  // stays open until it is finished or skipped, also once its key step has saved a key.
  const firstRun = !!earn && onboardingDone === false && !earn.apiKeyLastFour && !running
  useEffect(() => {
    if (firstRun) setSetupOpen(true)
  }, [firstRun])
  if (!earn) return <p className="view-loading">Loading…</p>
  if (setupOpen || firstRun) {
    return (
      <section className="earn" aria-label="Earn">
        <Onboarding earn={earn} onClose={() => setSetupOpen(false)} />
      </section>
    )
  }
  const showQuickStart = quickStart && ['running', 'failed', 'done'].includes(quickStart.phase)
  const since = earn.sinceStart
  const uptimeMs = uptimeOf(since, Date.now())
  const paused = earn.state === 'paused' && earn.pause
  const cardState = earnCardState(earn.state, starting)
  const perHour = uptimeMs > 60_000 ? (since.rewards / uptimeMs) * 3_600_000 : null
  const reward = REWARD_UNITS[earn.settings.network]
  const loaded = engine?.model ?? null
  const options = earnModelOptions(loaded, local, catalog)
  const chosen = picked && options.some((option) => option.value === picked) ? picked : defaultEarnModel(options, quickStart?.model ?? null)
  const plan = chosen ? earnStartPlan(chosen, loaded, local) : null
  // While mining, the loaded model is what is served; before a start, the one chosen.
  const modelName = running
    ? (loaded?.fileName ?? 'the loaded model')
    : starting
      ? (quickStart.modelName ?? 'the chosen model')
      : (options.find((option) => option.value === chosen)?.label.replace(/ \(.*\)$/, '') ?? null)
  const start = () => {
    if (!plan) return setSetupOpen(true)
    if (plan.kind === 'miner') void startEarning()
    else void startQuickStart(plan.choice)
  }

  return (
    <section className="earn" aria-label="Earn">
      <div className="earn-hero">
        <EarnStatusCard
          earn={earn}
          cardState={cardState}
          target={modelName ? { model: modelName, mining: running || starting } : null}
          lastJob={jobs[0] ?? null}
          action={
            <button
              type="button"
              className={running || starting ? 'earn-toggle stop' : 'earn-toggle start'}
              onClick={() => {
                if (running) void stopEarning()
                else if (starting) void cancelQuickStart()
                else if (bridged) void startEarning()
                else start()
              }}
            >
              {running ? (earn.state === 'stopping' ? 'Stop now' : 'Stop earning') : starting ? 'Cancel start' : 'Start earning'}
            </button>
          }
        >
          <EarnTarget earn={earn} options={options} value={chosen} onChoose={setPicked} locked={running || starting} />
          {earn.pause && !paused && running && <p className="earn-detail">{earn.pause.message} Jobs already running finish first.</p>}
          {earn.detail && !paused && <p className={earn.state === 'error' ? 'earn-detail error-text' : 'earn-detail'}>{earn.detail}</p>}
          <ModelRateNote earn={earn} engine={engine} />
          {options.length === 0 && !bridged && (
            <p className="earn-detail">There is no model to mine yet: add one in Models, or let the setup download one.</p>
          )}
          <button type="button" className="link" disabled={running} onClick={() => setSetupOpen(true)}>
            Set up again
          </button>
        </EarnStatusCard>
      </div>
      {showQuickStart && <QuickStartProgress quickStart={quickStart} onChooseModel={() => setSetupOpen(true)} />}
      {error && (
        <div className="error" role="alert">
          {error.message}
        </div>
      )}

      <h2 className="earn-section-title" id="earn-since-start">
        Since Start
      </h2>
      <dl className="earn-stats" aria-labelledby="earn-since-start">
        <div>
          <dt>Jobs</dt>
          <dd data-stat="jobs">{since.jobs}</dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd>{since.tokens}</dd>
        </div>
        <div>
          <dt>
            Rewards (<abbr title={reward.explained}>{reward.unit}</abbr>)
          </dt>
          <dd data-stat="rewards">{since.rewards.toFixed(2)}</dd>
        </div>
        <div>
          <dt>Uptime</dt>
          <dd>{formatDuration(uptimeMs)}</dd>
        </div>
        <div>
          <dt>{reward.unit} / hour</dt>
          <dd>{perHour === null ? '–' : perHour.toFixed(2)}</dd>
        </div>
      </dl>
      <p className="muted small" data-testid="reward-unit">
        {reward.explained}
        {earn.state === 'backoff' ? ' Uptime is stopped while the grid cannot be reached.' : ''}
      </p>

      {earn.running.length > 0 && (
        <table className="running" aria-label="Running jobs">
          <thead>
            <tr>
              <th>Job</th>
              <th>Model</th>
              <th>Tokens so far</th>
              <th>Tokens/s</th>
            </tr>
          </thead>
          <tbody>
            {earn.running.map((job) => {
              const seconds = (Date.now() - job.startedAt) / 1000
              return (
                <tr key={job.jobId}>
                  <td>{job.jobId.slice(0, 8)}</td>
                  <td>{job.model}</td>
                  <td>{job.tokens}</td>
                  <td>{seconds > 0 ? (job.tokens / seconds).toFixed(1) : '–'}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}

      <EarnChart version={`${since.jobs}|${since.rewards}|${jobs.length}`} />
      <AccountTotals earn={earn} />
      <FleetView earn={earn} />
      <Payouts earn={earn} />
      <EarningsAdvisor settings={earn.settings} />
      <ReadinessPanel settings={earn.settings} mining={running} />
      <IdentityPanel settings={{ ...earn.settings, slots: slotsInUse(earn) }} mining={running} />
      <BridgePanel disabled={running} />
      <EarnSettingsForm earn={earn} disabled={running} />
      <MiningPolicyForm policy={earn.policy} />
      <JobLog jobs={jobs} marks={earn.account.jobs ?? null} />
    </section>
  )
}
