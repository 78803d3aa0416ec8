import type { Clock } from '../ports.js'
import { BadJobRequest } from '../params.js'
import { backendAnswerError, BackendError } from './backendError.js'
import type { BackendConfig, BackendTimeouts } from './backendTypes.js'

/** A server and how to call it. */
export interface BackendTarget {
  config: BackendConfig
  timeouts: BackendTimeouts
  clock: Clock
  fetch?: typeof fetch
}

/** A 2xx answer whose body is still to be read; `failure` words what cut the reading short. */
export interface BackendReply {
  response: Response
  /** The body, with the idle timeout re-armed on every piece. */
  body: ReadableStream<Uint8Array>
  /** The error to throw for a failed read, or null when the caller's own signal aborted it. */
  failure(error: unknown): BackendError | null
  /** Stops the timers (the body has been read or is abandoned). */
  close(): void
}

/** `path` under the configured URL (OpenAI: under `/v1`; KoboldAI: under the origin). */
export const backendUrl = (config: BackendConfig, path: string) => `${config.url.replace(/\/+$/, '')}${path}`

/** `path` under the server's root, for the server's own endpoints beside the OpenAI API (`/props`, `/api/show`). */
export const serverRootUrl = (config: BackendConfig, path: string) => `${config.url.replace(/\/+$/, '').replace(/\/v1$/, '')}${path}`

/**
 * Sends one request with the first-byte and idle timeouts. Non-2xx answers throw `backendAnswerError`'s
 * classification; a server that cannot be reached or never answers throws a `BackendError`.
 */
export async function callBackend(
  target: BackendTarget,
  url: string,
  init: { method: 'GET' | 'POST'; payload?: unknown; accept: string },
  signal?: AbortSignal,
): Promise<BackendReply> {
  const cut = new AbortController()
  let expired: string | null = null
  let timer: AbortController | null = null
  const arm = (ms: number, why: string) => {
    timer?.abort()
    const current = new AbortController()
    timer = current
    void target.clock.sleep(ms, current.signal).then(() => {
      if (current.signal.aborted) return
      expired = why
      cut.abort()
    })
  }
  const close = () => timer?.abort()
  const onCallerAbort = () => cut.abort()
  if (signal?.aborted) cut.abort()
  signal?.addEventListener('abort', onCallerAbort, { once: true })
  const failure = (error: unknown): BackendError | null => {
    close()
    signal?.removeEventListener('abort', onCallerAbort)
    if (expired) return new BackendError('timeout', expired)
    if (signal?.aborted) return null
    if (error instanceof BackendError) return error
    return new BackendError('dropped', 'The inference server closed the connection before the reply was finished.')
  }
  arm(target.timeouts.firstByteMs, `The inference server did not answer within ${Math.round(target.timeouts.firstByteMs / 1000)} s.`)
  let response: Response
  try {
    response = await (target.fetch ?? fetch)(url, {
      method: init.method,
      headers: {
        accept: init.accept,
        ...(init.payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...(target.config.key ? { authorization: `Bearer ${target.config.key}` } : {}),
      },
      body: init.payload === undefined ? undefined : JSON.stringify(init.payload),
      signal: cut.signal,
    })
  } catch (error) {
    const known = failure(error)
    if (!known) throw error
    if (known.failure === 'dropped')
      throw new BackendError('unreachable', `Could not reach the inference server at ${new URL(url).origin}.`)
    throw known
  }
  const idle = `The inference server stopped sending for ${Math.round(target.timeouts.idleMs / 1000)} s in the middle of a reply.`
  arm(target.timeouts.idleMs, idle)
  if (!response.ok) {
    let text = ''
    try {
      text = await response.text()
    } catch (error) {
      const known = failure(error)
      if (!known) throw error
    }
    close()
    signal?.removeEventListener('abort', onCallerAbort)
    throw backendAnswerError(response.status, text, response.headers.get('retry-after'), target.clock.now())
  }
  const source = response.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() })
  const body = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        arm(target.timeouts.idleMs, idle)
        controller.enqueue(chunk)
      },
    }),
  )
  return {
    response,
    body,
    failure,
    close: () => {
      close()
      signal?.removeEventListener('abort', onCallerAbort)
    },
  }
}

/** GETs (or POSTs) JSON with the probe timeout; every failure is a `BackendError` (a 4xx too: probes have no job to blame). */
export async function backendJson(target: BackendTarget, url: string, payload?: unknown): Promise<unknown> {
  const probe = { ...target, timeouts: { ...target.timeouts, firstByteMs: target.timeouts.probeMs, idleMs: target.timeouts.probeMs } }
  let reply: BackendReply
  try {
    reply = await callBackend(probe, url, { method: payload === undefined ? 'GET' : 'POST', payload, accept: 'application/json' })
  } catch (error) {
    if (error instanceof BadJobRequest) throw new BackendError('garbage', error.message)
    throw error
  }
  let text: string
  try {
    text = await new Response(reply.body).text()
  } catch (error) {
    throw reply.failure(error) ?? error
  } finally {
    reply.close()
  }
  return parseJsonAnswer(text, reply.response)
}

/** A JSON body, or the one sentence for what came instead (a web page, nothing, garbage). */
export function parseJsonAnswer(text: string, response: Response): unknown {
  try {
    return JSON.parse(text)
  } catch {
    const page = /html/i.test(response.headers.get('content-type') ?? '') || /^\s*</.test(text)
    throw new BackendError(
      'garbage',
      page
        ? `The inference server answered ${new URL(response.url || 'http://x').pathname} with a web page, not an API answer; check --backend-url.`
        : 'The inference server sent an answer that is not JSON; check --backend-url.',
    )
  }
}
