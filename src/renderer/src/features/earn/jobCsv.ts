import type { AccountJobMark, JobLogEntry } from '../../../../shared/domain'

/** The ledger's columns first, in the order exports always had; then the grid's word on each AIPG job. */
export const JOB_CSV_COLUMNS = [
  'finishedAt',
  'network',
  'jobId',
  'model',
  'promptTokens',
  'completionTokens',
  'durationMs',
  'tokensPerSecond',
  'reward',
  'state',
  'signed',
  'resultHash',
] as const

/**
 * The job log as CSV. `signed` is `signed` only where the grid says it verified the job's signature, `unsigned` where
 * it says it did not, and empty where the grid has not listed the job (or for the Horde): unknown is never either.
 */
export function jobsCsv(jobs: readonly JobLogEntry[], marks: readonly AccountJobMark[] | null): string {
  const byId = new Map((marks ?? []).map((mark) => [mark.jobId, mark]))
  const rows = jobs.map((job) => {
    const mark = job.network === 'aipg' ? byId.get(job.jobId) : undefined
    const values: Record<(typeof JOB_CSV_COLUMNS)[number], unknown> = {
      ...job,
      finishedAt: new Date(job.finishedAt).toISOString(),
      signed: mark ? (mark.signed ? 'signed' : 'unsigned') : '',
      resultHash: mark?.resultHash ?? '',
    }
    return JOB_CSV_COLUMNS.map((column) => cell(values[column])).join(',')
  })
  return [JOB_CSV_COLUMNS.join(','), ...rows].join('\n')
}

function cell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value)
  // Leading = + - @ would run as formulas in spreadsheet apps.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text
  return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}
