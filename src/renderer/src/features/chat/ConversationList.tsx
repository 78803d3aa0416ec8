import { conversationsStore, deleteConversation, newConversation, openConversation } from '../../api/appState'
import { useStore } from '../../api/store'

/** The conversation list, most recent first, with New chat. */
export function ConversationList({ activeId }: { activeId: string | null }) {
  const conversations = useStore(conversationsStore)
  return (
    <nav className="sidebar" aria-label="Conversations">
      <button type="button" className="new-chat" onClick={newConversation}>
        + New chat
      </button>
      <ul>
        {conversations.map((conversation) => (
          <li key={conversation.id} className={conversation.id === activeId ? 'active' : undefined}>
            <button
              type="button"
              className="conversation"
              aria-current={conversation.id === activeId ? 'page' : undefined}
              onClick={() => void openConversation(conversation.id)}
            >
              {conversation.title}
            </button>
            <button
              type="button"
              className="delete"
              aria-label={`Delete ${conversation.title}`}
              onClick={() => {
                if (window.confirm(`Delete "${conversation.title}"?`)) void deleteConversation(conversation.id)
              }}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </nav>
  )
}
