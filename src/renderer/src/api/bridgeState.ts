import type {
  BridgeSaveServersRequest,
  BridgeServerRequest,
  BridgeServersView,
  BridgeSettingsView,
  BridgeTestResult,
  FoundServer,
} from '../../../shared/bridge'
import type { AppErrorShape } from '../../../shared/result'
import { errorStore } from './appState'
import { api } from './bridge'
import { refreshOnConnect } from './reconnect'
import { createStore } from './store'

/** Where the miner's tokens come from, and the saved server (never its key); null until loaded. */
export const bridgeStore = createStore<BridgeSettingsView | null>(null)
/** The servers the miner runs, each with its status and whether its key is stored; null until loaded. */
export const bridgeServersStore = createStore<BridgeServersView | null>(null)
/** The last refused bridge call, in one sentence. */
export const bridgeErrorStore = createStore<AppErrorShape | null>(null)
/** What the last "Find servers on this PC" found; null before the first search. */
export const foundServersStore = createStore<FoundServer[] | null>(null)

let started = false

async function refresh(): Promise<void> {
  if (!api) return
  const [settings, servers] = await Promise.all([api.call('bridge.settings', {}), api.call('bridge.servers', {})])
  if (settings.ok) bridgeStore.set(settings.value)
  if (servers.ok) bridgeServersStore.set(servers.value)
}

/** Loads the bridge settings once (again after every reconnect) and follows the host's changes. */
export function startBridgeState(): void {
  if (!api || started) return
  started = true
  api.on('bridge.settings', (view) => bridgeStore.set(view))
  api.on('bridge.servers', (view) => bridgeServersStore.set(view))
  refreshOnConnect(refresh)
}

export async function findBridgeServers(): Promise<void> {
  if (!api) return
  const result = await api.call('bridge.find', {})
  bridgeErrorStore.set(result.ok ? null : result.error)
  foundServersStore.set(result.ok ? result.value : [])
}

/** Saves the whole list with the keys typed since; a refusal goes to the save button's feedback (errorStore). */
export async function saveBridgeServers(request: BridgeSaveServersRequest): Promise<BridgeServersView | null> {
  if (!api) return null
  const result = await api.call('bridge.saveServers', request)
  if (!result.ok) {
    errorStore.set(result.error)
    return null
  }
  bridgeServersStore.set(result.value)
  return result.value
}

/** "Test connection" for one server of the list; its answer is that server's alone (a refused call answers as a failed test). */
export async function testBridgeServer(request: BridgeServerRequest): Promise<BridgeTestResult> {
  if (!api) return { ok: false, message: 'GridForge is not connected.', models: [], names: null }
  const result = await api.call('bridge.test', request)
  return result.ok ? result.value : { ok: false, message: result.error.message, models: [], names: null }
}
