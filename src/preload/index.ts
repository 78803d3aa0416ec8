import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { GridforgeApi } from '../shared/api.js'
import { IPC_CALL, IPC_EVENT, isCallName, isEventName } from '../shared/channels.js'

type AnyListener = (payload: unknown) => void
const listeners = new Map<string, Set<AnyListener>>()

ipcRenderer.on(IPC_EVENT, (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
  if (!isEventName(name)) return
  for (const listener of listeners.get(name) ?? []) listener(payload)
})

/**
 * The whole surface the renderer gets: two functions over the contract's names. No ipcRenderer, no
 * Node, no arbitrary channels; the main process validates every request again.
 */
const gridforge: GridforgeApi = {
  call: (name, request) => {
    if (!isCallName(name)) {
      return Promise.resolve({ ok: false, error: { code: 'BAD_REQUEST', message: 'Unknown call.' } })
    }
    return ipcRenderer.invoke(IPC_CALL, name, request)
  },
  on: (name, listener) => {
    if (!isEventName(name)) return () => undefined
    const set = listeners.get(name) ?? new Set<AnyListener>()
    set.add(listener as AnyListener)
    listeners.set(name, set)
    return () => set.delete(listener as AnyListener)
  },
}

contextBridge.exposeInMainWorld('gridforge', gridforge)
