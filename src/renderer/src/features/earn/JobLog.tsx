import type { AccountJobMark, JobLogEntry } from '../../../../shared/domain'
import { REWARD_UNITS } from './earnText'
import { jobsCsv } from './jobCsv'

function download(jobs: JobLogEntry[], marks: AccountJobMark[] | null): void {
  const url = URL.createObjectURL(new Blob([jobsCsv(jobs, marks)], { type: 'text/csv' }))
  const link = document.createElement('a')
  link.href = url
  link.download = 'gridforge-jobs.csv'
  link.click()
  URL.revokeObjectURL(url)
}

/**
 * The job log: time, network, model, tokens, duration, reward, state, and for AIPG jobs the grid's word on
 * the signature and the result hash (matched by job id). Never job text.
 */
export function JobLog({ jobs, marks = null }: { jobs: JobLogEntry[]; marks?: AccountJobMark[] | null }) {
  const byId = new Map((marks ?? []).map((mark) => [mark.jobId, mark]))
  const showMarks = marks !== null && jobs.some((job) => job.network === 'aipg')
  return (
    <section className="job-log" aria-label="Job log">
      <header>
        <h2>Job log</h2>
        <button type="button" onClick={() => download(jobs, marks)} disabled={jobs.length === 0}>
          Export CSV
        </button>
      </header>
      {jobs.length === 0 ? (
        <p className="muted">No jobs yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>Network</th>
              <th>Model</th>
              <th>Tokens</th>
              <th>Duration</th>
              <th>Reward</th>
              <th>State</th>
              {showMarks && (
                <>
                  <th>Signed</th>
                  <th>Result hash</th>
                </>
              )}
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr key={`${job.network}:${job.jobId}`} data-state={job.state}>
                <td>{new Date(job.finishedAt).toLocaleTimeString()}</td>
                <td>{job.network === 'aipg' ? 'AIPG' : 'Horde'}</td>
                <td>{job.model}</td>
                <td>{job.completionTokens}</td>
                <td>{(job.durationMs / 1000).toFixed(1)} s</td>
                <td>{job.reward === null ? '…' : `${job.reward.toFixed(2)} ${REWARD_UNITS[job.network].unit}`}</td>
                <td title={job.error ?? undefined}>{job.state}</td>
                {showMarks && <SignatureCells mark={job.network === 'aipg' ? byId.get(job.jobId) : undefined} />}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** Signed ✓ only when the grid says it verified the signature; a job the grid has not listed says so. */
function SignatureCells({ mark }: { mark: AccountJobMark | undefined }) {
  if (!mark)
    return (
      <>
        <td className="muted" data-signed="unknown">
          –
        </td>
        <td />
      </>
    )
  return (
    <>
      <td data-signed={mark.signed ? 'signed' : 'unsigned'}>{mark.signed ? 'signed ✓' : 'unsigned'}</td>
      <td title={mark.resultHash ?? undefined}>{mark.resultHash ? <code>{mark.resultHash.slice(0, 12)}…</code> : '–'}</td>
    </>
  )
}
