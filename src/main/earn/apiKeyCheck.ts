import { aipgRegistration } from '../../grid/aipgRegistration.js'
import { HORDE_ANONYMOUS_KEY } from '../../grid/gridAuth.js'
import { GridError } from '../../grid/gridError.js'
import type { GridAccess } from '../../grid/gridRequest.js'
import { aipgWorkerSocketUrl } from '../../grid/gridUrls.js'
import { AppError } from '../../shared/result.js'
import { AipgConnection } from '../../worker/transports/aipgSocket.js'
import { findHordeUser, isKeyRefusal } from './gridAccount.js'

/** What a key is checked as: the worker that will use it. */
export interface KeyCheck extends GridAccess {
  apiKey: string
  workerName: string
  /** The Cloudflare Origin CA for the AIPG worker socket. */
  extraCa?: string
}

/**
 * Asks the grid whether `apiKey` can run this worker; throws a one-sentence `AppError` when it cannot,
 * so the caller saves nothing. A grid that cannot be reached is also a refusal to save: a key that was
 * never checked would only fail later, at Start, with less context.
 *
 * - AI Horde: `GET /api/v2/find_user` (401/404 mean an unknown key). The Horde has no key scopes.
 * - AIPG: the worker scope (`worker.connect` or `inference.submit`) is checked only when a worker
 *   registers on `/v1/workers/ws` (grid-protocol.md §13.2; no REST endpoint reports scopes). So the
 *   check registers this worker name advertising no models, which the grid never sends jobs to, and
 *   closes at once on `ready`. That also catches a rig key bound to another name and a name owned by
 *   another account.
 */
export async function checkApiKey(check: KeyCheck): Promise<void> {
  const gridName = check.network === 'aipg' ? 'AI Power Grid' : 'AI Horde'
  const unreachable = () =>
    new AppError(
      'GRID_UNREACHABLE',
      `${gridName} could not be reached to check the key, so it was not saved; check your connection and try again.`,
    )
  if (check.network === 'horde') {
    if (check.apiKey === HORDE_ANONYMOUS_KEY) {
      throw new AppError(
        'KEY_REFUSED',
        'The anonymous key cannot run a worker; use the API key of your AI Horde account. Nothing was saved.',
      )
    }
    try {
      await findHordeUser(check)
    } catch (error) {
      if (isKeyRefusal(error)) {
        throw new AppError(
          'KEY_REFUSED',
          'AI Horde does not recognise this API key; copy it again from your account page. Nothing was saved.',
        )
      }
      throw unreachable()
    }
    return
  }

  let connection: AipgConnection
  try {
    connection = await AipgConnection.open(
      aipgWorkerSocketUrl(check.gridUrl),
      aipgRegistration({
        apiKey: check.apiKey,
        name: check.workerName,
        models: [],
        maxLength: 16,
        maxContextLength: 256,
        agent: check.agent,
      }),
      check.extraCa,
    )
  } catch (error) {
    throw explainAipgRefusal(error, unreachable)
  }
  connection.close(1000, 'key check')
}

function explainAipgRefusal(error: unknown, unreachable: () => AppError): AppError {
  if (!(error instanceof GridError)) return unreachable()
  const said = error.details.said ?? ''
  if (error.kind === 'key-refused') {
    return new AppError(
      'KEY_REFUSED',
      'AI Power Grid does not recognise this API key; copy it again from console.aipowergrid.io. Nothing was saved.',
    )
  }
  if (error.kind !== 'worker-refused') return unreachable()
  if (/scope/i.test(said)) {
    return new AppError(
      'KEY_REFUSED',
      'This API key cannot run a worker: it needs the worker.connect scope. Create a key with that scope at console.aipowergrid.io. Nothing was saved.',
    )
  }
  if (/name/i.test(said)) {
    return new AppError(
      'KEY_REFUSED',
      'The worker name belongs to another account (or the key is for another rig); choose another worker name, then save the key again. Nothing was saved.',
    )
  }
  return new AppError('KEY_REFUSED', `${error.message} Nothing was saved.`)
}
