/**
 * What the worker should do about a failure:
 * - `stop`: configuration problem (bad key, name taken); retrying cannot help, tell the user.
 * - `backoff`: the grid asks us to slow down or is failing; retry after a delay.
 * - `drop`: this job is gone on the grid side (expired, already submitted); forget it, keep working.
 */
export type FailureAction = 'stop' | 'backoff' | 'drop'

/** A failure talking to a grid, classified for the job loop. */
export class GridError extends Error {
  constructor(
    readonly action: FailureAction,
    message: string,
    readonly details: { status?: number; rc?: string; retryAfterMs?: number; /** The grid's own words, when it gave any. */ said?: string } = {},
  ) {
    super(message)
    this.name = 'GridError'
  }
}
