import WebSocket from 'ws'
import type { CallName, EventName, Events, RequestOf, ResultOf } from '../../src/shared/api.js'
import type { Result } from '../../src/shared/result.js'
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../src/shared/wire.js'

/** A test client speaking the headless host's WebSocket protocol, like the browser client does. */
export class TestClient {
  private nextId = 1
  private readonly pending = new Map<number, (result: Result<unknown>) => void>()
  readonly events: Array<{ name: EventName; payload: unknown }> = []
  private readonly waiters: Array<() => void> = []

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as
        { type: 'result'; id: number; result: Result<unknown> } | { type: 'event'; name: EventName; payload: unknown }
      if (frame.type === 'result') {
        this.pending.get(frame.id)?.(frame.result)
        this.pending.delete(frame.id)
      } else {
        this.events.push({ name: frame.name, payload: frame.payload })
        this.waiters.splice(0).forEach((wake) => wake())
      }
    })
  }

  static connect(baseUrl: string, token: string | null): Promise<TestClient> {
    const url = baseUrl.replace(/^http/, 'ws') + 'api'
    const protocols = token === null ? [WIRE_PROTOCOL] : [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token]
    const ws = new WebSocket(url, protocols)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestClient(ws)))
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
      ws.once('error', reject)
    })
  }

  call<K extends CallName>(name: K, request: RequestOf<K>): Promise<Result<ResultOf<K>>> {
    return this.raw({ id: this.nextId++, name, request }) as Promise<Result<ResultOf<K>>>
  }

  /** Sends any frame, for malformed-input tests; resolves with the answer to `id`. */
  raw(frame: unknown, id = (frame as { id: number }).id): Promise<Result<unknown>> {
    return new Promise((resolve) => {
      this.pending.set(id, resolve)
      this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
    })
  }

  async value<K extends CallName>(name: K, request: RequestOf<K>): Promise<ResultOf<K>> {
    const result = await this.call(name, request)
    if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message}`)
    return result.value
  }

  /** Waits for an event matching `match`, looking at those already received first. */
  async waitFor<E extends EventName>(name: E, match: (payload: Events[E]) => boolean = () => true, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs
    let seen = 0
    for (;;) {
      for (; seen < this.events.length; seen++) {
        const event = this.events[seen]!
        if (event.name === name && match(event.payload as Events[E])) return event.payload as Events[E]
      }
      if (Date.now() > deadline) throw new Error(`no ${name} event within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve)
        setTimeout(resolve, 100)
      })
    }
  }

  close(): void {
    this.ws.close()
  }
}
