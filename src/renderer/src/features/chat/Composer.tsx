import { useState, type KeyboardEvent } from 'react'
import { engineStore, stopMessage } from '../../api/appState'
import { useStore } from '../../api/store'
import { chatBackendStore, sendChat } from './gridChatState'

/** The message box: Enter sends, Shift+Enter adds a line, Escape stops a streaming reply. */
export function Composer({ streamingId }: { streamingId: string | null }) {
  const engine = useStore(engineStore)
  const [draft, setDraft] = useState('')
  const [sending, setSending] = useState(false)
  const backend = useStore(chatBackendStore)
  const ready = backend.kind === 'grid' ? backend.model.trim() !== '' : engine?.state === 'ready'

  const send = async () => {
    const text = draft.trim()
    if (!text || streamingId || sending) return
    setSending(true)
    // The draft is cleared only once the host has stored the message.
    if (await sendChat(text)) setDraft('')
    setSending(false)
  }

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      void send()
    } else if (event.key === 'Escape' && streamingId) {
      void stopMessage(streamingId)
    }
  }

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault()
        void send()
      }}
    >
      <textarea
        aria-label="Message"
        placeholder={
          ready
            ? 'Message (Enter to send, Shift+Enter for a new line)'
            : backend.kind === 'grid'
              ? 'Pick a grid model to start chatting'
              : 'Load a model to start chatting'
        }
        value={draft}
        rows={3}
        autoFocus
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={onKeyDown}
      />
      {streamingId ? (
        <button type="button" className="stop" onClick={() => void stopMessage(streamingId)}>
          Stop
        </button>
      ) : (
        <button type="submit" disabled={!ready || !draft.trim() || sending}>
          Send
        </button>
      )}
    </form>
  )
}
