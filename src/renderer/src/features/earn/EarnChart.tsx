import { useEffect, useState } from 'react'
import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { EarnHistory, GridNetwork, HistoryRange } from '../../../../shared/domain'
import { GRID_NAMES } from '../../../../shared/gridChat'
import { fetchEarnHistory } from '../../api/appState'
import { REWARD_UNITS } from './earnText'

const NETWORKS: GridNetwork[] = ['aipg', 'horde']
const LINE_COLOURS: Record<GridNetwork, string> = { aipg: '#1f9d55', horde: '#b7791f' }

const RANGES: Array<{ range: HistoryRange; label: string; words: string }> = [
  { range: '24h', label: '24 h', words: 'the last 24 hours' },
  { range: '7d', label: '7 d', words: 'the last 7 days' },
  { range: '30d', label: '30 d', words: 'the last 30 days' },
]

function bucketLabel(start: number, bucket: EarnHistory['bucket']): string {
  const date = new Date(start)
  return bucket === 'hour'
    ? `${String(date.getHours()).padStart(2, '0')}:00`
    : date.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric' })
}

/**
 * Rewards and jobs over 24 h, 7 d or 30 d from the local ledger; rewards per network, each in its own unit
 * (a line and an axis for den, another for kudos when Horde jobs are in the range), never added together. `version` changes whenever a job
 * finishes or is rewarded, so the chart follows the miner without polling.
 */
export function EarnChart({ version }: { version: string }) {
  const [range, setRange] = useState<HistoryRange>('24h')
  const [history, setHistory] = useState<EarnHistory | null>(null)
  useEffect(() => {
    let current = true
    void fetchEarnHistory(range).then((value) => current && setHistory(value))
    return () => {
      current = false
    }
  }, [range, version])

  const data = (history?.buckets ?? []).map((bucket) => ({
    start: bucket.start,
    jobs: bucket.jobs,
    aipg: bucket.rewards.aipg,
    horde: bucket.rewards.horde,
    label: bucketLabel(bucket.start, history!.bucket),
  }))
  const jobs = data.reduce((sum, bucket) => sum + bucket.jobs, 0)
  const totals = Object.fromEntries(NETWORKS.map((network) => [network, data.reduce((sum, bucket) => sum + bucket[network], 0)])) as Record<
    GridNetwork,
    number
  >
  // AIPG always has its line; the Horde's appears once the range holds Horde rewards.
  const shown = NETWORKS.filter((network) => network === 'aipg' || totals[network] > 0)
  const rewardWords = shown.map((network) => `${totals[network].toFixed(2)} ${REWARD_UNITS[network].unit}`).join(' and ')
  const words = RANGES.find((entry) => entry.range === range)!.words

  return (
    <section className="earn-chart" aria-label="Earnings chart">
      <header>
        <h2>Rewards and jobs</h2>
        <div role="group" aria-label="Chart range" className="range-switch">
          {RANGES.map((entry) => (
            <button key={entry.range} type="button" aria-pressed={entry.range === range} onClick={() => setRange(entry.range)}>
              {entry.label}
            </button>
          ))}
        </div>
      </header>
      <p className="muted" data-testid="chart-summary">
        {jobs} {jobs === 1 ? 'job' : 'jobs'}, {rewardWords} in {words}
      </p>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height={220}>
          <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--line)" />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={16} />
            <YAxis yAxisId="jobs" allowDecimals={false} tick={{ fontSize: 11 }} width={32} />
            {shown.map((network) => (
              <YAxis key={network} yAxisId={network} orientation="right" tick={{ fontSize: 11 }} width={44} />
            ))}
            <Tooltip />
            <Bar yAxisId="jobs" dataKey="jobs" name="Jobs" fill="#4f7cff" isAnimationActive={false} />
            {shown.map((network) => (
              <Line
                key={network}
                yAxisId={network}
                dataKey={network}
                name={`${GRID_NAMES[network]} (${REWARD_UNITS[network].unit})`}
                stroke={LINE_COLOURS[network]}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </section>
  )
}
