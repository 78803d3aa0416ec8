import { useEffect, useState } from 'react'
import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { EarnHistory, HistoryRange } from '../../../../shared/domain'
import { fetchEarnHistory } from '../../api/appState'

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
 * Rewards and jobs over 24 h, 7 d or 30 d from the local ledger. `version` changes whenever a job
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

  const data = (history?.buckets ?? []).map((bucket) => ({ ...bucket, label: bucketLabel(bucket.start, history!.bucket) }))
  const jobs = data.reduce((sum, bucket) => sum + bucket.jobs, 0)
  const rewards = data.reduce((sum, bucket) => sum + bucket.rewards, 0)
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
        {jobs} {jobs === 1 ? 'job' : 'jobs'}, {rewards.toFixed(2)} rewards in {words}
      </p>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height={220}>
          <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--line)" />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={16} />
            <YAxis yAxisId="jobs" allowDecimals={false} tick={{ fontSize: 11 }} width={32} />
            <YAxis yAxisId="rewards" orientation="right" tick={{ fontSize: 11 }} width={44} />
            <Tooltip />
            <Bar yAxisId="jobs" dataKey="jobs" name="Jobs" fill="#4f7cff" isAnimationActive={false} />
            <Line yAxisId="rewards" dataKey="rewards" name="Rewards" stroke="#1f9d55" dot={false} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </section>
  )
}
