import type { CallName, EventName, Events, GridforgeApi, RequestOf, ResultOf } from '../../../shared/api'
import type { Result } from '../../../shared/result'
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type ServerFrame } from '../../../shared/wire'

/** Whether the browser is connected to the headless host. */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized'

const TOKEN_KEY = 'gridforge.token'
const MAX_BACKOFF_MS = 5000

/** Reads the token from `#token=…` once, keeps it for reloads of this tab, and removes it from the URL. */
export function takeToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash)
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]))
    history.replaceState(null, '', window.location.pathname + window.location.search)
  }
  return sessionStorage.getItem(TOKEN_KEY)
}

/**
 * `window.gridforge` for the browser: the same contract over a WebSocket to `gridforge serve`.
 * Reconnects by itself (the host may restart); calls made while disconnected fail as values.
 */
export function createWebSocketApi(token: string, onState: (state: ConnectionState) => void): GridforgeApi {
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api`
  const listeners = new Map<EventName, Set<(payload: never) => void>>()
  const pending = new Map<number, (result: Result<unknown>) => void>()
  let nextId = 1
  let socket: WebSocket | null = null
  let opened: Promise<WebSocket> | null = null
  let backoff = 250

  const connect = (): Promise<WebSocket> => {
    opened ??= new Promise((resolve) => {
      onState('connecting')
      const ws = new WebSocket(url, [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token])
      let wasOpen = false
      ws.onopen = () => {
        wasOpen = true
        backoff = 250
        socket = ws
        onState('open')
        resolve(ws)
      }
      ws.onmessage = (event) => {
        const frame = JSON.parse(String(event.data)) as ServerFrame
        if (frame.type === 'result') {
          pending.get(frame.id)?.(frame.result)
          pending.delete(frame.id)
        } else {
          for (const listener of listeners.get(frame.name) ?? []) listener(frame.payload as never)
        }
      }
      ws.onclose = () => {
        socket = null
        opened = null
        for (const settle of pending.values()) {
          settle({ ok: false, error: { code: 'INTERNAL', message: 'Lost the connection to GridForge.' } })
        }
        pending.clear()
        // A refused handshake never opens: the token is wrong, retrying will not help.
        if (!wasOpen && backoff >= MAX_BACKOFF_MS) onState('unauthorized')
        else onState('closed')
        setTimeout(() => void connect(), backoff)
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
      }
    })
    return opened
  }
  void connect()

  return {
    async call<K extends CallName>(name: K, request: RequestOf<K>): Promise<Result<ResultOf<K>>> {
      const ws = socket ?? (await connect())
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, resolve as (result: Result<unknown>) => void)
        ws.send(JSON.stringify({ id, name, request }))
      })
    },
    on<E extends EventName>(name: E, listener: (payload: Events[E]) => void) {
      const set = listeners.get(name) ?? new Set()
      set.add(listener as (payload: never) => void)
      listeners.set(name, set)
      return () => set.delete(listener as (payload: never) => void)
    },
  }
}
