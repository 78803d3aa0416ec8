import type { GridforgeApi } from '../../../shared/api'
import { createWebSocketApi, takeToken, type ConnectionState } from './webSocketApi'

declare global {
  interface Window {
    gridforge?: GridforgeApi
  }
}

type Listener = () => void
let connection: ConnectionState = 'connecting'
const connectionListeners = new Set<Listener>()

function setConnection(state: ConnectionState): void {
  connection = state
  for (const listener of connectionListeners) listener()
}

/** The connection state store (always `open` inside Electron, where IPC cannot drop). */
export const connectionStore = {
  get: (): ConnectionState => connection,
  subscribe(listener: Listener): () => void {
    connectionListeners.add(listener)
    return () => connectionListeners.delete(listener)
  },
}

function resolveApi(): GridforgeApi | null {
  if (window.gridforge) {
    connection = 'open'
    return window.gridforge
  }
  const token = takeToken()
  if (!token) {
    connection = 'unauthorized'
    return null
  }
  return createWebSocketApi(token, setConnection)
}

/**
 * The one client the UI uses. Inside Electron it is the preload's `window.gridforge`; in a browser it is
 * the WebSocket client. Nothing else in the renderer knows which.
 */
export const api: GridforgeApi | null = resolveApi()
