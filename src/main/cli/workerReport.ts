import type { JobRecord } from '../../worker/ports.js'
import type { WorkerEvent } from '../../worker/workerTypes.js'

/** Where the report goes: job lines and the summary on stdout, states and warnings on stderr. */
export interface ReportSinks {
  out(line: string): void
  err(line: string): void
}

/**
 * What `gridforge worker` prints: a line per job once its reward is known (AIPG: when the `ack` came, or
 * when it is clear none will), each state change and retry once, and the summary at the end.
 */
export function createWorkerReport(sinks: ReportSinks) {
  const summary = { jobs: 0, ok: 0, unacknowledged: 0, tokens: 0, rewards: 0 }
  // The job loop reports a retry both as a state and as a warning; the state line says it already.
  let lastProblem: string | null = null

  const count = (record: JobRecord, acknowledged: boolean) => {
    summary.jobs++
    if (record.state === 'ok' || record.state === 'cancelled') summary.ok++
    if (!acknowledged) summary.unacknowledged++
    summary.tokens += record.completionTokens
    summary.rewards += record.reward ?? 0
    const reward = record.reward === null ? '-' : record.reward.toFixed(2)
    const state = acknowledged ? record.state : `${record.state}, no ack from the grid`
    sinks.out(
      `${record.jobId.slice(0, 8)}  ${record.model}  ${record.completionTokens} tokens  ${record.tokensPerSecond.toFixed(1)} tok/s  reward ${reward}  ${state}${record.error ? ` (${record.error})` : ''}`,
    )
  }

  return {
    onEvent(event: WorkerEvent): void {
      if (event.type === 'state') {
        lastProblem = event.state === 'backoff' ? (event.problem ?? null) : null
        if ((event.state === 'backoff' || event.state === 'stopping') && event.detail) sinks.err(event.detail)
      }
      // AIPG jobs are printed once their reward (ack) arrives; Horde jobs already carry it.
      if (
        event.type === 'job-finished' &&
        !(event.record.network === 'aipg' && event.record.reward === null && event.record.state !== 'dropped')
      ) {
        count(event.record, true)
      }
      if (event.type === 'job-rewarded') count(event.record, true)
      if (event.type === 'job-unacknowledged') count(event.record, false)
    },
    warn(line: string): void {
      if (lastProblem !== null && line.startsWith(`${lastProblem};`)) return
      sinks.err(line)
    },
    summaryLine(): string {
      const jobs = `${summary.jobs} job${summary.jobs === 1 ? '' : 's'} (${summary.ok} ok${summary.unacknowledged > 0 ? `, ${summary.unacknowledged} without an ack` : ''})`
      return `Summary: ${jobs}, ${summary.tokens} tokens, rewards ${summary.rewards.toFixed(2)}`
    },
  }
}
