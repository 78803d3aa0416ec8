import { useState } from 'react'
import type { ConversationSummary } from '../../../../shared/domain'
import { conversationsStore, openConversation } from '../../api/appState'
import { useStore } from '../../api/store'
import { CloseIcon, EditIcon, PlusIcon } from '../../components/icons'
import { startNewChat } from '../../shell/shortcuts'
import { ChatSearch } from './ChatSearch'
import { ChatTransfer } from './ChatTransfer'
import { deleteWithUndo, renameConversation } from './chatActions'

/** The conversation list, most recent first, with New chat, search, rename, delete and export/import. */
export function ConversationList({ activeId }: { activeId: string | null }) {
  const conversations = useStore(conversationsStore)
  return (
    <nav className="sidebar" aria-label="Conversations">
      <button type="button" className="new-chat" aria-keyshortcuts="Control+Shift+O" title="New chat (Ctrl+Shift+O)" onClick={startNewChat}>
        <PlusIcon />
        <span>New chat</span>
      </button>
      <ChatSearch />
      {conversations.length === 0 && <p className="sidebar-empty">No chats yet: type a message to start one.</p>}
      <ul>
        {conversations.map((conversation) => (
          <ConversationItem key={conversation.id} conversation={conversation} active={conversation.id === activeId} />
        ))}
      </ul>
      <ChatTransfer />
    </nav>
  )
}

function ConversationItem({ conversation, active }: { conversation: ConversationSummary; active: boolean }) {
  const [title, setTitle] = useState<string | null>(null)
  if (title !== null) {
    const save = async () => {
      if (!title.trim() || title.trim() === conversation.title || (await renameConversation(conversation.id, title))) setTitle(null)
    }
    return (
      <li className={active ? 'active' : undefined}>
        <form
          className="rename"
          onSubmit={(event) => {
            event.preventDefault()
            void save()
          }}
        >
          <input
            aria-label="Conversation title"
            value={title}
            autoFocus
            onChange={(event) => setTitle(event.target.value)}
            onKeyDown={(event) => {
              if (event.key !== 'Escape') return
              event.preventDefault()
              setTitle(null)
            }}
            onBlur={() => void save()}
          />
        </form>
      </li>
    )
  }
  return (
    <li className={active ? 'active' : undefined}>
      <button
        type="button"
        className="conversation"
        aria-current={active ? 'page' : undefined}
        onClick={() => void openConversation(conversation.id)}
        onDoubleClick={() => setTitle(conversation.title)}
      >
        {conversation.title}
      </button>
      <button
        type="button"
        className="rename-button"
        aria-label={`Rename ${conversation.title}`}
        onClick={() => setTitle(conversation.title)}
      >
        <EditIcon size={14} />
      </button>
      <button
        type="button"
        className="delete"
        aria-label={`Delete ${conversation.title}`}
        onClick={() => void deleteWithUndo(conversation)}
      >
        <CloseIcon size={14} />
      </button>
    </li>
  )
}
