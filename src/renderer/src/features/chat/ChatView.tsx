import { useEffect } from 'react'
import { activeStore, errorStore, stopMessage } from '../../api/appState'
import { useStore } from '../../api/store'
import { chatPanelStore } from '../../shell/chatPanel'
import { ChatHeader } from './ChatHeader'
import { ChatSettingsPanel } from './ChatSettingsPanel'
import { BackendPicker } from './BackendPicker'
import { Composer } from './Composer'
import { ConversationList } from './ConversationList'
import { GridNotice } from './GridNotice'
import { MessageList } from './MessageList'
import { ModelPicker } from './ModelPicker'
import { UndoToast } from './UndoToast'
import { Welcome } from '../onboarding/Welcome'
import { useWelcome } from '../onboarding/useWelcome'

/** Escape stops the streaming reply wherever focus is in the chat, unless a dialog or an editor took it. */
function useEscapeStops(streamingId: string | null): void {
  useEffect(() => {
    if (!streamingId) return
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented || document.querySelector('[aria-modal="true"]')) return
      event.preventDefault()
      void stopMessage(streamingId)
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [streamingId])
}

/** Chat: conversations on the left, the model on top, messages and the composer in the middle. */
export function ChatView() {
  const active = useStore(activeStore)
  const error = useStore(errorStore)
  const streaming = active?.messages.find((m) => m.state === 'streaming') ?? null
  const welcome = useWelcome()
  const panel = useStore(chatPanelStore)
  useEscapeStops(streaming?.id ?? null)
  // Opening a conversation (or a new one) from the narrow window's list closes the list.
  useEffect(() => chatPanelStore.set('none'), [active?.id])
  if (welcome) return <Welcome />
  return (
    <div className="chat" data-panel={panel}>
      <ConversationList activeId={active?.id ?? null} />
      <section className="chat-main" aria-label="Chat">
        <ChatHeader title={active?.title ?? 'New chat'} panel={panel} onPanel={(next) => chatPanelStore.set(next)} />
        <ModelPicker />
        <ChatSettingsPanel conversation={active} />
        <BackendPicker />
        {error && (
          <div className="error" role="alert">
            {error.message}
          </div>
        )}
        <MessageList
          conversationId={active?.id ?? null}
          messages={active?.messages ?? []}
          versions={active?.versions}
          hasOlder={(active?.olderMessages ?? 0) > 0}
        />
        <Composer streamingId={streaming?.id ?? null} />
        <UndoToast />
        <GridNotice />
      </section>
    </div>
  )
}
