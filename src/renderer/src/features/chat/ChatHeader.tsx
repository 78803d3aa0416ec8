import { GRID_NAMES } from '../../../../shared/gridChat'
import { engineStore } from '../../api/appState'
import { useStore } from '../../api/store'
import { MenuIcon, MoreIcon, PlusIcon } from '../../components/icons'
import type { NarrowPanel } from '../../shell/chatPanel'
import { startNewChat } from '../../shell/shortcuts'
import { chatBackendStore } from './gridChatState'
import './chatHeader.css'

/**
 * The chat's one-line header in a narrow window (CSS shows it only there): the conversation list and the model
 * and chat settings fold behind two buttons, so the messages and the composer keep the height.
 */
export function ChatHeader({ title, panel, onPanel }: { title: string; panel: NarrowPanel; onPanel: (panel: NarrowPanel) => void }) {
  const engine = useStore(engineStore)
  const backend = useStore(chatBackendStore)
  // Where replies come from, as the folded reply-source picker would say: it decides what leaves the PC.
  const source =
    backend.kind === 'grid' ? `${GRID_NAMES[backend.network]} · ${backend.model}` : (engine?.model?.fileName ?? 'No model loaded')
  const toggle = (next: NarrowPanel) => onPanel(panel === next ? 'none' : next)
  return (
    <div className="chat-header">
      <button type="button" aria-label="Conversations" aria-expanded={panel === 'chats'} onClick={() => toggle('chats')}>
        <MenuIcon size={18} />
      </button>
      <p className="chat-header-title">
        <span className="chat-header-name">{title}</span>
        <span className="chat-header-model" data-engine-state={backend.kind === 'grid' ? 'grid' : (engine?.state ?? 'unknown')}>
          {source}
        </span>
      </p>
      <button type="button" aria-label="New chat" onClick={startNewChat}>
        <PlusIcon size={18} />
      </button>
      <button type="button" aria-label="Chat options" aria-expanded={panel === 'tools'} onClick={() => toggle('tools')}>
        <MoreIcon size={18} />
      </button>
    </div>
  )
}
