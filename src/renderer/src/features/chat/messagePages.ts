import { activeStore, errorStore } from '../../api/appState'
import { api } from '../../api/bridge'

let loading: string | null = null

/** Loads the page before the first message shown of the open conversation (the user scrolled to the top). */
export async function loadOlderMessages(): Promise<void> {
  const active = activeStore.get()
  const first = active?.messages[0]
  if (!api || !active?.olderMessages || !first || loading === active.id) return
  loading = active.id
  try {
    const result = await api.call('chat.older', { conversationId: active.id, before: first.id })
    if (!result.ok) {
      errorStore.set(result.error)
      return
    }
    const page = result.value
    activeStore.set((current) =>
      current?.id === active.id && current.messages[0]?.id === first.id
        ? {
            ...current,
            messages: [...page.messages, ...current.messages],
            versions: { ...page.versions, ...current.versions },
            olderMessages: page.olderMessages,
          }
        : current,
    )
  } finally {
    loading = null
  }
}
