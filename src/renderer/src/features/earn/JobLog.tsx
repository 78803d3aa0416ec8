import type { JobLogEntry } from '../../../../shared/domain'

const CSV_COLUMNS = ['finishedAt', 'network', 'jobId', 'model', 'promptTokens', 'completionTokens', 'durationMs', 'tokensPerSecond', 'reward', 'state'] as const

function toCsv(jobs: JobLogEntry[]): string {
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value)
    // Leading = + - @ would run as formulas in spreadsheet apps.
    const safe = /^[=+\-@]/.test(text) ? `'${text}` : text
    return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
  }
  const rows = jobs.map((job) => CSV_COLUMNS.map((column) => cell(column === 'finishedAt' ? new Date(job.finishedAt).toISOString() : job[column])).join(','))
  return [CSV_COLUMNS.join(','), ...rows].join('\n')
}

function download(jobs: JobLogEntry[]): void {
  const url = URL.createObjectURL(new Blob([toCsv(jobs)], { type: 'text/csv' }))
  const link = document.createElement('a')
  link.href = url
  link.download = 'gridforge-jobs.csv'
  link.click()
  URL.revokeObjectURL(url)
}

/** The job log: time, network, model, tokens, duration, reward, state. Never job text. */
export function JobLog({ jobs }: { jobs: JobLogEntry[] }) {
  return (
    <section className="job-log" aria-label="Job log">
      <header>
        <h2>Job log</h2>
        <button type="button" onClick={() => download(jobs)} disabled={jobs.length === 0}>
          Export CSV
        </button>
      </header>
      {jobs.length === 0 ? (
        <p className="muted">No jobs yet.</p>
      ) : (
        <table>
          <thead>
            <tr><th>Time</th><th>Network</th><th>Model</th><th>Tokens</th><th>Duration</th><th>Reward</th><th>State</th></tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr key={`${job.network}:${job.jobId}`} data-state={job.state}>
                <td>{new Date(job.finishedAt).toLocaleTimeString()}</td>
                <td>{job.network === 'aipg' ? 'AIPG' : 'Horde'}</td>
                <td>{job.model}</td>
                <td>{job.completionTokens}</td>
                <td>{(job.durationMs / 1000).toFixed(1)} s</td>
                <td>{job.reward === null ? '…' : job.reward.toFixed(2)}</td>
                <td title={job.error ?? undefined}>{job.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
