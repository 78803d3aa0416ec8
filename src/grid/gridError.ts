import { hasNetworkCode, networkSentence } from '../shared/networkWords.js'
/**
 * What the worker should do about a failure:
 * - `stop`: configuration problem (bad key, name taken); retrying cannot help, tell the user.
 * - `backoff`: the grid asks us to slow down or is failing; retry after a delay.
 * - `drop`: this job is gone on the grid side (expired, already submitted); forget it, keep working.
 */
export type FailureAction = 'stop' | 'backoff' | 'drop'

/**
 * What went wrong talking to a grid, the same for both networks and every user of the grid client (the
 * worker, grid chat, the key check, account totals); each user words it for its own screen.
 */
export type GridErrorKind =
  /** The grid URL cannot be used (not a web address, or plain http off this PC). */
  | 'bad-url'
  /** No answer: DNS, refused connection, TLS, timeout, offline. */
  | 'unreachable'
  /** The grid does not know the key (401, AIPG close 4001, the Horde's InvalidAPIKey). */
  | 'key-refused'
  /** The key is known but may not do this (403 in the grid's own words). */
  | 'forbidden'
  /** The grid refuses this worker: its name belongs to someone else, a missing scope, too many workers (AIPG close 4003). */
  | 'worker-refused'
  /** Too many requests (429, the Horde's IP timeouts); `retryAfterMs` says how long to wait when the grid says. */
  | 'rate-limited'
  /** The grid, or this worker on it, is in maintenance. */
  | 'maintenance'
  /** No worker serves the model asked for (a requester's 503). */
  | 'no-workers'
  /** The account has no kudos or credit for this request. */
  | 'out-of-credit'
  /** The request is too large for the grid (413). */
  | 'too-large'
  /** The job is gone on the grid (expired, already submitted, aborted). */
  | 'job-gone'
  /** The grid no longer speaks this protocol (410 Gone). */
  | 'retired'
  /** The grid failed (5xx, or the WebSocket restarted). */
  | 'server-error'
  /** An answer that is not the grid's: non-JSON, an unknown shape, a proxy's error page. */
  | 'garbage'
  /** Any other refusal of the request itself (a 4xx): sending it again will not help. */
  | 'client-error'
  /** Our own stop cut the request short. */
  | 'stopped'
  /** A failure the grid client did not classify (a bug, an unexpected exception). */
  | 'unexpected'

const DEFAULT_ACTIONS: Record<GridErrorKind, FailureAction> = {
  'bad-url': 'stop',
  unreachable: 'backoff',
  'key-refused': 'stop',
  forbidden: 'stop',
  'worker-refused': 'stop',
  'rate-limited': 'backoff',
  maintenance: 'backoff',
  'no-workers': 'backoff',
  'out-of-credit': 'stop',
  'too-large': 'stop',
  'job-gone': 'drop',
  retired: 'stop',
  'server-error': 'backoff',
  garbage: 'backoff',
  'client-error': 'stop',
  stopped: 'backoff',
  unexpected: 'backoff',
}

/** Facts about a grid failure beyond its kind. */
export interface GridErrorDetails {
  /** The HTTP status, or the WebSocket close code. */
  status?: number
  /** The AI Horde's return code (grid-protocol.md §9). */
  rc?: string
  retryAfterMs?: number
  /** The grid's own words, when it gave any (already trimmed to one short line). */
  said?: string
  /** Overrides what the kind alone would make the worker do (a Horde rc whose table entry says otherwise). */
  action?: FailureAction
}

/** The one error type of the grid client. `message` is a sentence for the worker's log and status line. */
export class GridError extends Error {
  readonly action: FailureAction
  readonly details: Omit<GridErrorDetails, 'action'>

  constructor(
    readonly kind: GridErrorKind,
    message: string,
    { action, ...details }: GridErrorDetails = {},
  ) {
    super(message)
    this.name = 'GridError'
    this.action = action ?? DEFAULT_ACTIONS[kind]
    this.details = details
  }
}

/** Any failure as a `GridError`; what was not classified is waited out, never fatal. A network failure keeps its words, not its errno. */
export function asGridError(error: unknown): GridError {
  if (error instanceof GridError) return error
  if (hasNetworkCode(error)) return unreachableError(error, '')
  return new GridError('unexpected', error instanceof Error ? error.message : String(error))
}

/** A request to `url` that never got an answer, in words (the errno codes of Node and undici stop here). */
export function unreachableError(cause: unknown, url: string): GridError {
  const sentence = networkSentence(url, cause, 'the grid')
  return new GridError('unreachable', sentence.charAt(0).toUpperCase() + sentence.slice(1))
}

/** A 2xx answer that cannot be read. */
export function unreadableAnswer(status: number): GridError {
  return new GridError('garbage', `The grid sent an unreadable answer (HTTP ${status}).`, { status })
}
