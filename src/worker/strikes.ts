import type { JobRecord } from './ports.js'

/** How the job runner words a generation failure; a request fault (`client_error`) is worded otherwise. */
export const GENERATION_FAILED = 'Generation failed:'

/**
 * Whether AIPG counted this job as a strike (grid-protocol.md §16.7): an `error` frame that was not a
 * `client_error`, or an empty completion. Request faults (`client_error`) are no strike; the Horde has none.
 */
export function isStrike(record: JobRecord): boolean {
  if (record.network !== 'aipg') return false
  if (record.state === 'faulted') return true
  if (record.state === 'error') return record.error?.startsWith(GENERATION_FAILED) ?? false
  return record.state === 'ok' && record.completionTokens === 0
}
