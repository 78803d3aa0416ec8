import { MAX_IMPORT_PIECE_CHARS } from '../../../../shared/limits'
import type { ChatSearchHit, Conversation, ConversationSummary } from '../../../../shared/domain'
import type { ConversationSettings } from '../../../../shared/chatSettings'
import type { Result } from '../../../../shared/result'
import { activeStore, errorStore } from '../../api/appState'
import { api } from '../../api/bridge'
import { createStore } from '../../api/store'
import { mergePage } from './pageMerge'

/** The conversation just deleted, while its undo is offered. */
export const undoDeleteStore = createStore<ConversationSummary | null>(null)

/** Runs a call, records its error for the UI, returns the value or null. */
async function run<T>(call: () => Promise<Result<T>>): Promise<T | null> {
  if (!api) return null
  errorStore.set(null)
  const result = await call()
  if (result.ok) return result.value
  errorStore.set(result.error)
  return null
}

/** Shows a changed conversation if it is the open one (or opens it). */
function show(conversation: Conversation | null): void {
  if (conversation) activeStore.set((current) => mergePage(current, conversation))
}

export async function regenerate(messageId: string): Promise<void> {
  show(await run(() => api!.call('chat.regenerate', { messageId })))
}

/** Sends an edited copy of a message as a new branch; returns false to keep the editor open. */
export async function editAndResend(messageId: string, text: string): Promise<boolean> {
  const conversation = await run(() => api!.call('chat.edit', { messageId, text }))
  show(conversation)
  return conversation !== null
}

/** Shows another version of a message (or the branch of a search hit). */
export async function selectVersion(messageId: string): Promise<void> {
  show(await run(() => api!.call('chat.select', { messageId })))
}

export async function deleteMessage(messageId: string): Promise<void> {
  show(await run(() => api!.call('chat.deleteMessage', { messageId })))
}

export async function renameConversation(conversationId: string, title: string): Promise<boolean> {
  const renamed = await run(() => api!.call('chat.rename', { conversationId, title }))
  if (renamed) activeStore.set((active) => (active?.id === renamed.id ? { ...active, title: renamed.title } : active))
  return renamed !== null
}

/** Deletes a conversation and offers to undo it. */
export async function deleteWithUndo(conversation: ConversationSummary): Promise<void> {
  const done = await run(() => api!.call('chat.delete', { conversationId: conversation.id }))
  if (!done?.deleted) return
  if (activeStore.get()?.id === conversation.id) activeStore.set(null)
  undoDeleteStore.set(conversation)
}

export async function undoDelete(): Promise<void> {
  const conversation = undoDeleteStore.get()
  undoDeleteStore.set(null)
  if (conversation) await run(() => api!.call('chat.restore', { conversationId: conversation.id }))
}

export async function searchChats(query: string): Promise<ChatSearchHit[]> {
  return (await run(() => api!.call('chat.search', { query }))) ?? []
}

/** Opens a search hit: its conversation, on the branch that holds the message. */
export async function openHit(hit: ChatSearchHit): Promise<void> {
  if (hit.messageId) return selectVersion(hit.messageId)
  show(await run(() => api!.call('chat.get', { conversationId: hit.conversationId })))
}

export async function saveSettings(conversationId: string, settings: ConversationSettings): Promise<void> {
  show(await run(() => api!.call('chat.updateSettings', { conversationId, settings })))
}

/** Saves one conversation (or all) as a file the browser downloads. */
export async function exportChats(conversationId: string | null, format: 'json' | 'markdown'): Promise<void> {
  const file = await run(() => api!.call('chat.export', { conversationId, format }))
  if (!file) return
  const url = URL.createObjectURL(new Blob([file.text], { type: file.mimeType }))
  const link = document.createElement('a')
  link.href = url
  link.download = file.fileName
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Imports a GridForge or ChatGPT export, sent in pieces that each fit one request. */
export async function importChats(file: File, uploadId: string = crypto.randomUUID()): Promise<ConversationSummary[] | null> {
  const text = await file.text()
  const pieces = Math.max(1, Math.ceil(text.length / MAX_IMPORT_PIECE_CHARS))
  for (let index = 0; index < pieces; index++) {
    const piece = text.slice(index * MAX_IMPORT_PIECE_CHARS, (index + 1) * MAX_IMPORT_PIECE_CHARS)
    const last = index === pieces - 1
    const result = await run(() => api!.call('chat.import', { uploadId, index, text: piece, last }))
    if (!result) return null
    if (last) return result.imported
  }
  return null
}
