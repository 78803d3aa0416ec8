import { useCallback, useEffect, useState } from 'react'
import type { AdvisorEntry, AdvisorReport, SpeedSource } from '../../../../shared/advisor'
import type { EarnSettings } from '../../../../shared/domain'
import type { AppErrorShape } from '../../../../shared/result'
import { api } from '../../api/bridge'

const SPEED_TEXT: Record<SpeedSource, string> = {
  measured: 'measured on this PC',
  grid: "the grid's workers' speed",
  'cpu-estimate': 'CPU estimate',
}

const FIT_TEXT: Record<AdvisorEntry['fit'], string> = {
  'gpu-full': 'GPU',
  'gpu-partial': 'GPU + CPU',
  cpu: 'CPU',
  'too-large': 'too large',
  unknown: 'unknown',
}

/**
 * "Recommended for earning" (AIPG): what to mine on this PC, ranked by the grid's need for workers and the estimated
 * den per hour, with every input shown. Estimates, never promises: the grid decides what it sends.
 */
export function EarningsAdvisor({ settings }: { settings: EarnSettings }) {
  const [report, setReport] = useState<AdvisorReport | null>(null)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const [asking, setAsking] = useState(false)
  const ask = useCallback(async () => {
    if (!api) return
    setAsking(true)
    const result = await api.call('earn.advisor', {})
    setAsking(false)
    if (result.ok) {
      setReport(result.value)
      setError(null)
    } else setError(result.error)
  }, [])
  useEffect(() => {
    if (settings.network === 'aipg') void ask()
  }, [ask, settings.network, settings.gridUrl, settings.maxLength])
  if (settings.network !== 'aipg') return null
  const top = report?.entries.find((entry) => entry.key === report.recommended) ?? null
  return (
    <section className="readiness advisor" aria-label="Recommended for earning">
      <header>
        <h2>Recommended for earning</h2>
        <button type="button" onClick={() => void ask()} disabled={asking}>
          {asking ? 'Estimating…' : 'Estimate again'}
        </button>
      </header>
      <p className="muted">
        Estimates, not promises: den per hour while busy = tokens per second × den for one answer (the grid&apos;s formula with the
        model&apos;s multiplier). How many jobs the grid sends you is up to the grid.
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error.message}
        </p>
      )}
      {report && (
        <>
          {top && (
            <p data-advisor="recommendation">
              <strong>{top.name}</strong> as <code>{top.advertisedName}</code>: about {top.denPerHour!.toFixed(1)} den per hour (estimate)
              {top.workerNumber !== null && (
                <>
                  ; you would be worker #{top.workerNumber} of {top.advertisedName}
                </>
              )}
              .
            </p>
          )}
          {!top && <p className="muted">No model that fits this PC has an estimate yet (fit estimates need Hugging Face once).</p>}
          {report.demandProblem && <p className="muted">{report.demandProblem}</p>}
          <p className="muted small" data-advisor="inputs">
            Assumes answers of {report.answerTokens.value} tokens (
            {report.answerTokens.source === 'your-jobs' ? 'the average of your AIPG jobs' : 'your max length'}) and a context multiplier of
            1{report.redundancyTarget !== null && `; the grid aims for ${report.redundancyTarget} workers per model`}.
          </p>
          {report.entries.length > 0 && (
            <table aria-label="Models ranked for earning">
              <thead>
                <tr>
                  <th>Model</th>
                  <th>Advertised as</th>
                  <th>Multiplier</th>
                  <th>Runs on</th>
                  <th>Tokens/s</th>
                  <th>Den / answer</th>
                  <th>Den / hour (est.)</th>
                  <th>Workers now</th>
                </tr>
              </thead>
              <tbody>
                {report.entries.map((entry) => (
                  <tr key={entry.key} data-advisor-key={entry.key} data-recommended={entry.key === report.recommended || undefined}>
                    <td>
                      {entry.name}
                      {!entry.downloaded && <span className="muted"> (not downloaded)</span>}
                    </td>
                    <td>
                      <code>{entry.advertisedName}</code>
                    </td>
                    <td>{formatNumber(entry.multiplier)}×</td>
                    <td>{FIT_TEXT[entry.fit]}</td>
                    <td title={entry.speedSource ? SPEED_TEXT[entry.speedSource] : undefined}>
                      {entry.tokensPerSecond === null ? '–' : `${entry.tokensPerSecond} (${SPEED_TEXT[entry.speedSource!]})`}
                    </td>
                    <td>{entry.denPerAnswer.toFixed(2)}</td>
                    <td data-advisor="den-per-hour">{entry.denPerHour === null ? '–' : entry.denPerHour.toFixed(1)}</td>
                    <td data-advisor="workers">
                      {entry.workers === null ? '–' : entry.workers}
                      {entry.needsWorkers && <span className="muted"> (the grid wants more)</span>}
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

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2)
}
