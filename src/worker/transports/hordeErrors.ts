import { GridError, type FailureAction } from '../errors.js'

/** The AI Horde's return codes (§9) and what a worker does about each. */
const RC_ACTIONS: Record<string, FailureAction> = {
  InvalidAPIKey: 'stop',
  AnonForbiddenWorker: 'stop',
  WrongCredentials: 'stop',
  PolymorphicNameConflict: 'stop',
  ProfaneWorkerName: 'stop',
  ProfaneBridgeAgent: 'stop',
  BadRequest: 'stop',
  InvalidPriorityUsername: 'stop',
  DeletedUser: 'stop',
  TooManyWorkers: 'stop',
  TooManyWorkersTrusted: 'stop',
  WorkerInviteOnly: 'stop',
  TooManySameIPs: 'stop',
  UnsafeIP: 'stop',
  WorkerFlaggedMaintenance: 'stop',
  WorkerMaintenance: 'stop',
  TooManyNewIPs: 'backoff',
  TimeoutIP: 'backoff',
  MaintenanceMode: 'backoff',
  InvalidJobID: 'drop',
  DuplicateGen: 'drop',
  AbortedGen: 'drop',
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

/**
 * Turns any non-2xx answer into a classified `GridError`. Understands all four error shapes of §9:
 * `{message, rc}`, `{errors, message}`, `{message}` (429) and non-JSON bodies (proxies, HTML pages).
 */
export function hordeError(status: number, bodyText: string, retryAfter: string | null): GridError {
  let body: { message?: unknown; rc?: unknown; errors?: unknown } = {}
  try {
    const parsed: unknown = JSON.parse(bodyText)
    if (parsed && typeof parsed === 'object') body = parsed
  } catch {
    body = {}
  }
  const rc = typeof body.rc === 'string' ? body.rc : undefined
  const serverMessage = typeof body.message === 'string' ? body.message.slice(0, 300) : undefined
  const fieldErrors =
    body.errors && typeof body.errors === 'object'
      ? Object.entries(body.errors as Record<string, unknown>).map(([field, why]) => `${field}: ${String(why)}`).join('; ')
      : ''
  const detail = [serverMessage, fieldErrors].filter(Boolean).join(' ') || `HTTP ${status}`
  const retryAfterMs = parseRetryAfter(retryAfter)

  if (rc && RC_ACTIONS[rc]) {
    const action = RC_ACTIONS[rc]!
    const message = RC_ADVICE[rc] ? `${RC_ADVICE[rc]} (${detail})` : `${rc}: ${detail}`
    return new GridError(action, message, {
      status,
      rc,
      retryAfterMs: retryAfterMs ?? (LONG_PAUSE_RC.has(rc) ? LONG_PAUSE_MS : undefined),
    })
  }
  if (status === 429 || status >= 500 || !serverMessage) {
    return new GridError('backoff', `The grid answered ${status}: ${detail}`, { status, rc, retryAfterMs })
  }
  if (status === 401) return new GridError('stop', `The API key was refused; check it. (${detail})`, { status, rc })
  // Other 4xx (validation errors, unknown rcs) mean our request is wrong: retrying the same will not help.
  return new GridError('stop', `The grid refused the request (${status}): ${detail}`, { status, rc })
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined
}
