import type { GridNetwork } from '../../../../shared/domain'
import { wentToGrid, type ChatBackend, type GridModel, type ReplyStage } from '../../../../shared/gridChat'
import { activeStore, errorStore, sendMessage } from '../../api/appState'
import { api } from '../../api/bridge'
import { createStore } from '../../api/store'

const BACKEND_KEY = 'gridforge.chatBackend'

function savedBackend(): ChatBackend {
  try {
    const saved = JSON.parse(localStorage.getItem(BACKEND_KEY) ?? 'null') as ChatBackend | null
    if (saved?.kind === 'grid' && (saved.network === 'aipg' || saved.network === 'horde') && typeof saved.model === 'string') {
      return saved
    }
    if (saved?.kind === 'server') return saved
  } catch {
    // A damaged entry just means the default.
  }
  return { kind: 'local' }
}

/** Where the next message goes: the local model, a grid with its model, or the user's server. Remembered between sessions. */
export const chatBackendStore = createStore<ChatBackend>(savedBackend())
/** Models on each grid, as last fetched; null while loading or after a failure. */
export const gridModelsStore = createStore<Partial<Record<GridNetwork, GridModel[] | null>>>({})
/** Queue position and wait for grid replies that have no text yet, by message id. */
export const replyProgressStore = createStore<ReadonlyMap<string, ReplyStage>>(new Map())
/** The notice shown before a conversation first goes to a grid; resolve(true) when the user accepts. */
export const gridNoticeStore = createStore<{ network: GridNetwork; resolve: (accepted: boolean) => void } | null>(null)

api?.on('chat.progress', ({ messageId, conversationId: _conversationId, ...stage }) => {
  replyProgressStore.set((current) => new Map(current).set(messageId, stage))
})
api?.on('chat.message', (message) => {
  if (message.state === 'streaming' || !replyProgressStore.get().has(message.id)) return
  replyProgressStore.set((current) => {
    const next = new Map(current)
    next.delete(message.id)
    return next
  })
})
api?.on('chat.delta', ({ messageId }) => {
  if (!replyProgressStore.get().has(messageId)) return
  replyProgressStore.set((current) => {
    const next = new Map(current)
    next.delete(messageId)
    return next
  })
})

/** Chooses where the next message goes. */
export function chooseBackend(backend: ChatBackend): void {
  chatBackendStore.set(backend)
  localStorage.setItem(BACKEND_KEY, JSON.stringify(backend))
}

/** Fetches the models a grid serves now. */
export async function refreshGridModels(network: GridNetwork): Promise<void> {
  if (!api) return
  gridModelsStore.set((current) => ({ ...current, [network]: null }))
  const result = await api.call('chat.gridModels', { network })
  if (result.ok) gridModelsStore.set((current) => ({ ...current, [network]: result.value }))
  else errorStore.set(result.error)
}

/**
 * Sends through the chosen backend. Before a conversation's first message goes to a grid the user is asked,
 * once per grid, whether its community workers may read it; declining keeps the draft.
 */
export async function sendChat(text: string): Promise<boolean> {
  const backend = chatBackendStore.get()
  if (backend.kind === 'local') return sendMessage(text)
  // The user's own server: nothing leaves what the user runs, so there is no notice to accept.
  if (backend.kind === 'server') return sendMessage(text, { backend })
  const active = activeStore.get()
  let accepted = false
  if (!active || !wentToGrid(active.messages, backend.network)) {
    accepted = await new Promise<boolean>((resolve) => gridNoticeStore.set({ network: backend.network, resolve }))
    gridNoticeStore.set(null)
    if (!accepted) return false
  }
  return sendMessage(text, { backend, gridNoticeAccepted: accepted })
}
