import type { CallName, EventName, Events, GridforgeApi, RequestOf, ResultOf } from '../../../shared/api'
import type { Result } from '../../../shared/result'
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type ServerFrame } from '../../../shared/wire'

/**
 * Whether the browser is connected to the headless host: `closed` right after a drop (reconnecting), `down`
 * when the server does not answer at all, `unauthorized` when it answers but refuses this page's token.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'down' | 'unauthorized'

const TOKEN_KEY = 'gridforge.token'
const MAX_BACKOFF_MS = 5000
/** Handshakes refused while the server answers HTTP before the token counts as wrong (one may race a restart). */
const REFUSALS_BEFORE_UNAUTHORIZED = 2

/**
 * Reads the token from `#token=…`, keeps it for this origin and removes it from the URL (out of the history
 * and of screenshots). Kept in localStorage, so a bookmark of the page and a new tab get in without the link;
 * `gridforge serve` keeps the same token across restarts.
 */
export function takeToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash)
  if (match?.[1]) {
    localStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]))
    history.replaceState(null, '', window.location.pathname + window.location.search)
  }
  return localStorage.getItem(TOKEN_KEY) ?? sessionStorage.getItem(TOKEN_KEY)
}

/** Whether the server at this page's origin answers HTTP at all (a refused WebSocket alone cannot tell). */
async function serverAnswers(): Promise<boolean> {
  try {
    await fetch(`${window.location.origin}/`, { method: 'HEAD', cache: 'no-store', signal: AbortSignal.timeout(3000) })
    return true
  } catch {
    return false
  }
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
  let refusals = 0
  let state: ConnectionState = 'connecting'
  const setState = (next: ConnectionState) => {
    state = next
    onState(next)
  }

  const retry = () => {
    setTimeout(() => void connect(), backoff)
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
  }

  const connect = (): Promise<WebSocket> => {
    opened ??= new Promise((resolve) => {
      // A page that says the server is down keeps saying so until the server is back.
      if (state !== 'down') setState('connecting')
      const ws = new WebSocket(url, [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token])
      let wasOpen = false
      ws.onopen = () => {
        wasOpen = true
        backoff = 250
        refusals = 0
        socket = ws
        setState('open')
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
        if (wasOpen) {
          setState('closed')
          retry()
          return
        }
        void serverAnswers().then((answers) => {
          if (!answers) {
            refusals = 0
            setState('down')
            retry()
          } else if (++refusals >= REFUSALS_BEFORE_UNAUTHORIZED) {
            // The server is there and refuses the handshake: this token is not (or no longer) its token.
            localStorage.removeItem(TOKEN_KEY)
            sessionStorage.removeItem(TOKEN_KEY)
            setState('unauthorized')
          } else retry()
        })
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
