import { GridError, type GridErrorKind } from './gridError.js'
import { identityRefusalFix } from './identityRefusal.js'

/** Why an AIPG worker WebSocket ended, with what the worker should do about it. */
export interface CloseInfo {
  code: number
  reason: string
  kind: GridErrorKind
  action: 'stop' | 'reconnect'
  message: string
  /** The grid's own words (its last error frame, or the close reason). */
  said: string
}

/** Classifies a close of the worker WebSocket (grid-protocol.md §13.2: 4001, 4003, 1012). */
export function classifyClose(code: number, reason: string, lastError: string | null): CloseInfo {
  const said = lastError ?? reason
  if (code === 4001) {
    return {
      code,
      reason,
      said,
      kind: 'key-refused',
      action: 'stop',
      message: `The API key was refused (${said || 'invalid key'}); check it, or paste a new one in the miner settings.`,
    }
  }
  if (code === 4003) {
    const fix =
      identityRefusalFix(said) ??
      (/scope/i.test(said)
        ? 'Use a Grid API key with the worker.connect scope (console.aipowergrid.io).'
        : /name/i.test(said)
          ? 'The worker name belongs to another account; choose another worker name.'
          : "Check the key's worker scope and the worker name.")
    return {
      code,
      reason,
      said,
      kind: 'worker-refused',
      action: 'stop',
      message: `The grid refused this worker: ${said || 'not allowed'}. ${fix}`,
    }
  }
  if (code === 1012) {
    // 1012 is both "replaced by a newer connection of this name" and a server restart: reconnect with
    // backoff, so a deploy never stops every worker; a duplicate name then shows as repeated 1012s.
    return {
      code,
      reason,
      said,
      kind: 'server-error',
      action: 'reconnect',
      message: 'The grid restarted, or another worker connected with this name (give each rig its own name).',
    }
  }
  return {
    code,
    reason,
    said,
    kind: 'unreachable',
    action: 'reconnect',
    message: `Connection closed (${code}${reason ? ` ${reason}` : ''}).`,
  }
}

/** A close before `ready`, as the registration's failure. */
export function closeError(info: CloseInfo): GridError {
  return new GridError(info.kind, info.message, { status: info.code, said: info.said })
}

/** The grid answered the WebSocket upgrade with plain HTTP: only 410 (the protocol is gone) is final. */
export function upgradeRefused(status: number): GridError {
  const kind: GridErrorKind = status === 410 ? 'retired' : status === 429 ? 'rate-limited' : status >= 500 ? 'server-error' : 'garbage'
  return new GridError(kind, `The grid refused the WebSocket (HTTP ${status}).`, { status })
}

/** The grid did not say `ready` within the registration window. */
export function registrationTimeout(): GridError {
  return new GridError('unreachable', 'The grid did not answer the registration in time.')
}

/** Our own stop ended the registration. */
export function registrationStopped(): GridError {
  return new GridError('stopped', 'Stopped.')
}
