import { AppError } from '../../shared/result.js'
import { GridError } from '../../worker/errors.js'
import { AipgConnection, aipgWebSocketUrl } from '../../worker/transports/aipgSocket.js'
import { getJson, GridAccountError, type GridAccess } from './gridAccount.js'

/** The AI Horde's anonymous key: it may request generations but never run a worker (§2). */
const HORDE_ANONYMOUS_KEY = '0000000000'

/** What a key is checked as: the worker that will use it. */
export interface KeyCheck extends GridAccess {
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
    new AppError('GRID_UNREACHABLE', `${gridName} could not be reached to check the key, so it was not saved; check your connection and try again.`)
  if (check.network === 'horde') {
    if (check.apiKey === HORDE_ANONYMOUS_KEY) {
      throw new AppError('KEY_REFUSED', 'The anonymous key cannot run a worker; use the API key of your AI Horde account. Nothing was saved.')
    }
    try {
      await getJson(check, '/api/v2/find_user')
    } catch (error) {
      if (error instanceof GridAccountError && error.kind === 'refused') {
        throw new AppError('KEY_REFUSED', 'AI Horde does not recognise this API key; copy it again from your account page. Nothing was saved.')
      }
      throw unreachable()
    }
    return
  }

  let connection: AipgConnection
  try {
    connection = await AipgConnection.open(
      aipgWebSocketUrl(check.gridUrl),
      {
        apikey: check.apiKey,
        name: check.workerName,
        models: [],
        max_length: 16,
        max_context_length: 256,
        bridge_agent: check.agent,
        job_types: ['text'],
        api_formats: ['openai-chat'],
        modalities: ['text'],
      },
      check.extraCa,
    )
  } catch (error) {
    throw explainAipgRefusal(error, unreachable)
  }
  connection.close(1000, 'key check')
}

function explainAipgRefusal(error: unknown, unreachable: () => AppError): AppError {
  if (!(error instanceof GridError) || error.action !== 'stop') return unreachable()
  const status = error.details.status
  const said = error.details.said ?? ''
  if (status === 4001) return new AppError('KEY_REFUSED', 'AI Power Grid does not recognise this API key; copy it again from console.aipowergrid.io. Nothing was saved.')
  if (status === 4003 && /scope/i.test(said)) {
    return new AppError(
      'KEY_REFUSED',
      'This API key cannot run a worker: it needs the worker.connect scope. Create a key with that scope at console.aipowergrid.io. Nothing was saved.',
    )
  }
  if (status === 4003 && /name/i.test(said)) {
    return new AppError('KEY_REFUSED', 'The worker name belongs to another account (or the key is for another rig); choose another worker name, then save the key again. Nothing was saved.')
  }
  if (status === 4003) return new AppError('KEY_REFUSED', `${error.message} Nothing was saved.`)
  return unreachable()
}
