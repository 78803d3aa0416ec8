import type { GridNetwork } from '../shared/domain.js'
import { GridError, type FailureAction, type GridErrorKind } from './gridError.js'

/** The longest quote of a grid's own words kept in an error. */
const MAX_SAID_CHARS = 300

/** The AI Horde's return codes (grid-protocol.md §9) by what they mean, with the worker's action where it differs. */
const RC_KINDS: Record<string, { kind: GridErrorKind; action?: FailureAction }> = {
  InvalidAPIKey: { kind: 'key-refused' },
  AnonForbiddenWorker: { kind: 'key-refused' },
  DeletedUser: { kind: 'key-refused' },
  WrongCredentials: { kind: 'worker-refused' },
  PolymorphicNameConflict: { kind: 'worker-refused' },
  ProfaneWorkerName: { kind: 'worker-refused' },
  ProfaneBridgeAgent: { kind: 'worker-refused' },
  TooManyWorkers: { kind: 'worker-refused' },
  TooManyWorkersTrusted: { kind: 'worker-refused' },
  WorkerInviteOnly: { kind: 'worker-refused' },
  TooManySameIPs: { kind: 'worker-refused' },
  UnsafeIP: { kind: 'worker-refused' },
  BadRequest: { kind: 'client-error' },
  InvalidPriorityUsername: { kind: 'client-error' },
  WorkerFlaggedMaintenance: { kind: 'maintenance', action: 'stop' },
  WorkerMaintenance: { kind: 'maintenance', action: 'stop' },
  MaintenanceMode: { kind: 'maintenance' },
  TooManyNewIPs: { kind: 'rate-limited' },
  TimeoutIP: { kind: 'rate-limited' },
  TooManyPrompts: { kind: 'rate-limited' },
  KudosUpfront: { kind: 'out-of-credit' },
  SharedKeyInsufficientKudos: { kind: 'out-of-credit' },
  InvalidJobID: { kind: 'job-gone' },
  DuplicateGen: { kind: 'job-gone' },
  AbortedGen: { kind: 'job-gone' },
}

/** How long to wait after rcs that ask for a long pause (§9: "back off 60 s or more"). */
const LONG_PAUSE_RC = new Set(['TooManyNewIPs', 'TimeoutIP', 'MaintenanceMode'])
const LONG_PAUSE_MS = 60_000

/** Sentences for the rcs a user must act on. */
const RC_ADVICE: Record<string, string> = {
  InvalidAPIKey: 'The API key was refused; check it.',
  AnonForbiddenWorker: 'The anonymous key cannot run a worker; use your own API key.',
  WrongCredentials: 'This worker name belongs to another account; choose another name.',
  PolymorphicNameConflict: 'This worker name is used by an image worker; choose another name.',
}

/** What a grid's error body says, whichever shape it has. */
export interface ErrorBody {
  /** The grid's words, one line; null when the body is not a grid's answer (a proxy page, nothing). */
  said: string | null
  rc: string | null
}

/**
 * Reads any of the grids' error shapes: the Horde's `{message, rc}`, `{errors, message}` (validation) and
 * `{message}` (its rate limiter), FastAPI's `{detail}` and OpenAI's `{error: {message}}` (AIPG). Never
 * throws: proxies send HTML.
 */
export function readErrorBody(text: string): ErrorBody {
  let body: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(text)
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { said: null, rc: null }
    body = parsed as Record<string, unknown>
  } catch {
    return { said: null, rc: null }
  }
  const error = body.error && typeof body.error === 'object' ? (body.error as Record<string, unknown>) : undefined
  const raw = body.detail ?? body.message ?? error?.message
  const message = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : JSON.stringify(raw)
  const fieldErrors =
    body.errors && typeof body.errors === 'object'
      ? Object.entries(body.errors as Record<string, unknown>)
          .map(([field, why]) => `${field}: ${String(why)}`)
          .join('; ')
      : ''
  const said = oneLine([message, fieldErrors].filter(Boolean).join(' '))
  return { said: said || null, rc: typeof body.rc === 'string' ? body.rc : null }
}

/**
 * Classifies a non-2xx answer of either grid's REST API. The message is the worker's sentence; chat and the
 * key check word the kind their own way.
 */
export function errorAnswer(
  network: GridNetwork,
  status: number,
  bodyText: string,
  retryAfter: string | null,
  now = Date.now(),
): GridError {
  const { said, rc } = readErrorBody(bodyText)
  const detail = said ?? `HTTP ${status}`
  const retryAfterMs = parseRetryAfter(retryAfter, now)
  const facts = { status, ...(rc ? { rc } : {}), ...(said ? { said } : {}), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }

  if (status === 410) {
    const message =
      network === 'horde'
        ? 'This grid no longer speaks the Horde protocol (410 Gone); use --network aipg.'
        : 'The grid no longer serves this endpoint (410 Gone); update GridForge.'
    return new GridError('retired', message, facts)
  }
  const known = rc ? RC_KINDS[rc] : undefined
  if (rc && known) {
    const message = RC_ADVICE[rc] ? `${RC_ADVICE[rc]} (${detail})` : `${rc}: ${detail}`
    const wait = retryAfterMs ?? (LONG_PAUSE_RC.has(rc) ? LONG_PAUSE_MS : undefined)
    return new GridError(known.kind, message, { ...facts, ...(wait === undefined ? {} : { retryAfterMs: wait }), action: known.action })
  }
  if (status === 401) return new GridError('key-refused', `The API key was refused; check it. (${detail})`, facts)
  if (status === 429) return new GridError('rate-limited', `The grid answered 429: ${detail}`, facts)
  if (status === 402) return new GridError('out-of-credit', `The grid refused the request (402): ${detail}`, facts)
  if (status === 413) return new GridError('too-large', `The grid refused the request (413): ${detail}`, facts)
  if (status === 503 && /no (available )?workers/i.test(said ?? ''))
    return new GridError('no-workers', `The grid answered 503: ${detail}`, facts)
  if (status >= 500) return new GridError('server-error', `The grid answered ${status}: ${detail}`, facts)
  // A refusal not in the grid's own words is a proxy or a captive portal speaking: wait it out.
  if (!said) return new GridError('garbage', `The grid answered ${status}: ${detail}`, facts)
  if (status === 403) return new GridError('forbidden', `The grid refused the request (403): ${detail}`, facts)
  return new GridError('client-error', `The grid refused the request (${status}): ${detail}`, facts)
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > MAX_SAID_CHARS ? `${line.slice(0, MAX_SAID_CHARS - 1)}…` : line
}
