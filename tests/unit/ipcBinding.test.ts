import { EventEmitter } from 'node:events'
import type { IpcMain, WebContents } from 'electron'
import { describe, expect, it } from 'vitest'
import { bindIpc } from '../../src/main/electron/ipcBinding.js'
import type { Host } from '../../src/main/host/createHost.js'
import { HostEvents } from '../../src/main/host/events.js'
import { IPC_CALL, IPC_EVENT } from '../../src/shared/channels.js'
import { ok } from '../../src/shared/result.js'

const appUrl = 'file:///app/out/renderer/index.html'

function setup() {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  const ipcMain = {
    handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => handlers.set(channel, handler),
    removeHandler: (channel: string) => handlers.delete(channel),
  } as unknown as IpcMain
  const calls: unknown[][] = []
  const events = new HostEvents()
  const host = {
    dispatch: async (name: unknown, request: unknown) => {
      calls.push([name, request])
      return ok('dispatched')
    },
    events,
  } as unknown as Host
  const sent: unknown[][] = []
  const contents = Object.assign(new EventEmitter(), {
    isDestroyed: () => false,
    send: (...args: unknown[]) => sent.push(args),
  }) as unknown as WebContents
  bindIpc(ipcMain, host, appUrl, () => contents)
  const invoke = (frame: { url: string; parent: unknown } | null, name: unknown, request: unknown) =>
    handlers.get(IPC_CALL)!({ senderFrame: frame }, name, request)
  return { invoke, calls, sent, events }
}

describe('the IPC binding', () => {
  it('dispatches calls from the app window', async () => {
    const { invoke, calls } = setup()
    expect(await invoke({ url: appUrl, parent: null }, 'chat.list', {})).toEqual(ok('dispatched'))
    expect(calls).toEqual([['chat.list', {}]])
  })

  it('refuses calls from other pages and frames without dispatching them', async () => {
    const { invoke, calls } = setup()
    for (const frame of [{ url: 'https://evil.example/', parent: null }, { url: appUrl, parent: {} }, null]) {
      expect(await invoke(frame, 'chat.list', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    }
    expect(calls).toEqual([])
  })

  it('refuses oversized requests with BAD_REQUEST', async () => {
    const { invoke, calls } = setup()
    const result = await invoke({ url: appUrl, parent: null }, 'chat.send', { text: 'x'.repeat(2_000_000) })
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    expect(calls).toEqual([])
  })

  it('forwards host events to the window', () => {
    const { events, sent } = setup()
    events.emit('chat.delta', { conversationId: 'c', messageId: 'm', text: 'Hi' })
    expect(sent).toEqual([[IPC_EVENT, 'chat.delta', { conversationId: 'c', messageId: 'm', text: 'Hi' }]])
  })
})
