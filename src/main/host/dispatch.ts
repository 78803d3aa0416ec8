import { contract, type CallName, type RequestOf, type ResultOf } from '../../shared/api.js'
import { isCallName } from '../../shared/channels.js'
import { fail, ok, toErrorShape, type Result } from '../../shared/result.js'

/** One handler per call of the contract; a missing one is a compile error. */
export type Handlers = {
  [K in CallName]: (request: RequestOf<K>) => Promise<ResultOf<K>> | ResultOf<K>
}

/**
 * The host boundary: checks the call name and parses the request with the contract's schema before
 * any handler sees it, and turns whatever is thrown into an error value.
 */
export function createDispatcher(handlers: Handlers, log: (line: string) => void = () => undefined) {
  return async (name: unknown, request: unknown): Promise<Result<unknown>> => {
    if (!isCallName(name)) return fail('BAD_REQUEST', 'Unknown call.')
    const parsed = contract[name].request.safeParse(request ?? {})
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const where = issue?.path.length ? ` (${issue.path.join('.')})` : ''
      return fail('BAD_REQUEST', `Invalid request for ${name}${where}: ${issue?.message ?? 'malformed'}.`)
    }
    try {
      const handler = handlers[name] as (request: unknown) => unknown
      return ok(await handler(parsed.data))
    } catch (error) {
      const shape = toErrorShape(error)
      if (shape.code === 'INTERNAL') log(`call ${name} failed: ${error instanceof Error ? error.stack : String(error)}`)
      return { ok: false, error: shape }
    }
  }
}

/** The dispatcher's type, used by the transports. */
export type Dispatch = ReturnType<typeof createDispatcher>
