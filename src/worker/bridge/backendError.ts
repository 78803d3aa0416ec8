import { parseRetryAfter, readErrorBody } from '../../grid/errorAnswer.js'
import { BadJobRequest } from '../params.js'

/** What went wrong with the inference server, in the grid client's terms where they apply. */
export type BackendFailure =
  'unreachable' | 'key-refused' | 'no-model' | 'rate-limited' | 'server-error' | 'garbage' | 'timeout' | 'dropped'

/**
 * The server cannot serve jobs now. Its `code` is the engine's "down" code, so the job loop answers the
 * job with this sentence and pauses before the next one; the health gate keeps it paused until the server is back.
 */
export class BackendError extends Error {
  override name = 'BackendError'
  readonly code = 'ENGINE_CRASHED'

  constructor(
    readonly failure: BackendFailure,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message)
  }
}

/**
 * A non-2xx answer of the server, classified the way the grid's own answers are: 429 and 5xx wait
 * (with Retry-After when given), a refused key or an unknown model pause until fixed, any other 4xx is the
 * request's fault (a client error for the grid, no pause).
 */
export function backendAnswerError(
  status: number,
  bodyText: string,
  retryAfter: string | null,
  now = Date.now(),
): BackendError | BadJobRequest {
  const said = readErrorBody(bodyText).said
  const detail = said ? `: ${said}` : ''
  if (status === 401 || status === 403)
    return new BackendError('key-refused', `The inference server refused the backend key (${status}); check --backend-key-file.`)
  if (status === 404)
    return new BackendError('no-model', `The inference server answered 404${detail}; check --backend-url and --backend-model.`)
  if (status === 429)
    return new BackendError('rate-limited', `The inference server is busy (429)${detail}.`, parseRetryAfter(retryAfter, now))
  if (status >= 500)
    return new BackendError('server-error', `The inference server failed (${status})${detail}.`, parseRetryAfter(retryAfter, now))
  if (!said)
    return new BackendError(
      'garbage',
      `The inference server answered ${status} with something that is not an API answer; check --backend-url.`,
    )
  return new BadJobRequest(`The inference server refused the request (${status})${detail}.`)
}
