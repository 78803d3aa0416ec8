import { useEffect } from 'react'
import type { EarnSettings } from '../../../../shared/domain'
import type { ReadinessFamilyResult, ReadinessVerdict } from '../../../../shared/readiness'
import { bridgeStore, startBridgeState } from '../../api/bridgeState'
import { useStore } from '../../api/store'
import { checkReadiness, followReadiness, readinessErrorStore, readinessStore, refreshReadiness } from './ReadinessState'

const VERDICT_TEXT: Record<ReadinessVerdict, string> = { pass: 'Pass', slow: 'Slow', fail: 'Fail', skipped: 'Not sent' }

/**
 * "Check grid readiness": the grid's validator tests run on the loaded model (or the bridged server's), per family, with the
 * decode speed and the largest context that passed. Start earning runs it too when the model or settings changed.
 */
export function ReadinessPanel({ settings, mining }: { settings: EarnSettings; mining: boolean }) {
  const readiness = useStore(readinessStore)
  const error = useStore(readinessErrorStore)
  const bridge = useStore(bridgeStore)
  useEffect(() => followReadiness(), [])
  useEffect(() => startBridgeState(), [])
  // Whether the report is stale depends on the limits the miner would advertise.
  useEffect(() => void refreshReadiness(), [settings.maxLength, settings.maxContextLength])
  const running = readiness?.state === 'running'
  const report = readiness?.report ?? null
  return (
    <section className="readiness" aria-label="Grid readiness">
      <header>
        <h2>Grid readiness</h2>
        <button type="button" onClick={() => void checkReadiness()} disabled={running || mining}>
          {running ? 'Checking…' : 'Check grid readiness'}
        </button>
      </header>
      <p className="muted">
        The grid's validators send test jobs that look like paid ones; their scores and your speed decide how much work you get. This runs
        the same kinds of tests{' '}
        {bridge?.mode === 'server' && bridge.model ? (
          <BridgedTarget model={bridge.model} url={bridge.url} />
        ) : (
          'on the loaded model, on this PC only.'
        )}
      </p>
      {running && readiness.progress && (
        <p role="status" data-readiness="progress">
          {readiness.progress.total ? `${readiness.progress.done} of ${readiness.progress.total} tests done…` : 'Starting…'}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error.message}
        </p>
      )}
      {readiness?.message && <p className="error-text">{readiness.message}</p>}
      {report && (
        <>
          <p data-readiness="verdict" className={report.ready ? undefined : 'error-text'}>
            {readiness?.modelName ? `${readiness.modelName}: ` : ''}
            {report.ready
              ? 'ready for the grid.'
              : `not ready: ${report.results.filter((r) => r.verdict === 'fail').length} kinds of test failed.`}
            {readiness?.stale && ' (This was for another model or other settings; check again.)'}
          </p>
          <dl className="earn-stats">
            <div>
              <dt>Decode speed</dt>
              <dd data-readiness="speed">{report.tokensPerSecond === null ? '–' : `${report.tokensPerSecond.toFixed(1)} tokens/s`}</dd>
            </div>
            <div>
              <dt>Largest context passed</dt>
              <dd data-readiness="context">
                {report.largestContextPassed === null ? 'none' : `${report.largestContextPassed.toLocaleString()} tokens`}
              </dd>
            </div>
            <div>
              <dt>Advertised context</dt>
              <dd>{report.maxContextLength.toLocaleString()} tokens</dd>
            </div>
          </dl>
          <table className="readiness-results" aria-label="Readiness results">
            <thead>
              <tr>
                <th>Test</th>
                <th>Result</th>
                <th>Time</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {report.results.map((result) => (
                <ResultRow key={result.family} result={result} />
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  )
}

/** A bridged model is checked where the grid's jobs go: on the user's server, not on this PC. */
function BridgedTarget({ model, url }: { model: string; url: string }) {
  return (
    <>
      on your server's model <strong data-readiness="target">{model}</strong> at {url}; the tests go to that server only.
    </>
  )
}

function ResultRow({ result }: { result: ReadinessFamilyResult }) {
  return (
    <tr data-family={result.family} data-verdict={result.verdict}>
      <td>{result.family}</td>
      <td>{VERDICT_TEXT[result.verdict]}</td>
      <td>{result.durationMs === null ? '' : `${(result.durationMs / 1000).toFixed(1)} s`}</td>
      <td>{result.reason ?? ''}</td>
    </tr>
  )
}
