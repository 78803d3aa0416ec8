import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { IPC_CALL, IPC_EVENT } from '../../shared/channels.js'
import { MAX_REQUEST_BYTES } from '../../shared/limits.js'
import { fail, type Result } from '../../shared/result.js'
import type { Host } from '../host/createHost.js'
import { isTrustedSender } from './navigationGuards.js'

/**
 * Binds the host's API to IPC: checks who sent each call and its size, then hands it to the same
 * dispatcher the WebSocket uses. Events go to the app's window only.
 */
export function bindIpc(ipcMain: IpcMain, host: Host, appUrl: string, target: () => WebContents | null) {
  ipcMain.handle(IPC_CALL, async (event: IpcMainInvokeEvent, name: unknown, request: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(event.senderFrame, appUrl)) return fail('UNAUTHORIZED', 'Call from an untrusted frame.')
    if (approximateSize(request) > MAX_REQUEST_BYTES) return fail('BAD_REQUEST', 'The request is too large.')
    return host.dispatch(name, request)
  })
  const unsubscribe = host.events.subscribe((name, payload) => {
    const contents = target()
    if (contents && !contents.isDestroyed()) contents.send(IPC_EVENT, name, payload)
  })
  return () => {
    unsubscribe()
    ipcMain.removeHandler(IPC_CALL)
  }
}

function approximateSize(value: unknown): number {
  try {
    return JSON.stringify(value ?? null).length
  } catch {
    return Number.POSITIVE_INFINITY
  }
}
