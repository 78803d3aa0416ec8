import { useRef, useState } from 'react'
import { engineStore, stopMessage } from '../../api/appState'
import { bridgeStore } from '../../api/bridgeState'
import { useStore } from '../../api/store'
import { SendIcon, StopIcon } from '../../components/icons'
import { FOCUS_IDS } from '../../shell/focusTarget'
import { chatBackendStore, sendChat } from './gridChatState'
import { enterSends } from './enterSends'

/**
 * The message box: Enter sends, Shift+Enter adds a line; Escape (anywhere in the chat, see ChatView) stops a
 * streaming reply. The cursor stays in the box after sending, also when Send was clicked.
 */
export function Composer({ streamingId }: { streamingId: string | null }) {
  const engine = useStore(engineStore)
  const [draft, setDraft] = useState('')
  const [sending, setSending] = useState(false)
  const box = useRef<HTMLTextAreaElement>(null)
  const backend = useStore(chatBackendStore)
  const server = useStore(bridgeStore)
  const ready =
    backend.kind === 'grid' ? backend.model.trim() !== '' : backend.kind === 'server' ? !!server?.model : engine?.state === 'ready'

  const send = async () => {
    const text = draft.trim()
    if (!text || streamingId || sending) return
    setSending(true)
    box.current?.focus()
    // The draft is cleared only once the host has stored the message.
    if (await sendChat(text)) setDraft('')
    setSending(false)
    // Back from the grid notice (or a click on Send), the next message is typed here too.
    box.current?.focus()
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
        id={FOCUS_IDS.composer}
        ref={box}
        aria-label="Message"
        aria-keyshortcuts="/"
        placeholder={
          ready
            ? 'Message (Enter to send, Shift+Enter for a new line)'
            : backend.kind === 'grid'
              ? 'Pick a grid model to start chatting'
              : backend.kind === 'server'
                ? 'Set up your server in Settings › Where the tokens come from'
                : 'Load a model to start chatting'
        }
        value={draft}
        rows={3}
        autoFocus
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => enterSends(event, () => void send())}
      />
      {streamingId ? (
        <button type="button" className="stop" aria-keyshortcuts="Escape" onClick={() => void stopMessage(streamingId)}>
          <StopIcon />
          <span>Stop</span>
        </button>
      ) : (
        <button type="submit" disabled={!ready || !draft.trim() || sending}>
          <SendIcon />
          <span>Send</span>
        </button>
      )}
    </form>
  )
}
