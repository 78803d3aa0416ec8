import { newConversation } from '../api/appState'
import { goTo } from '../api/navigation'
import { chatPanelStore } from './chatPanel'
import { FOCUS_IDS, focusWhenShown } from './focusTarget'

/** The app's keyboard shortcuts, as the help text and the README name them. */
export const SHORTCUTS = [
  { keys: 'Ctrl+Shift+O', action: 'New chat' },
  { keys: 'Ctrl+K', action: 'Search chats' },
  { keys: '/', action: 'Focus the message box' },
  { keys: 'Esc', action: 'Stop the reply being written' },
] as const

function typingInField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

/** Starts a new chat and puts the cursor in its message box. */
export function startNewChat(): void {
  goTo('chat')
  newConversation()
  focusWhenShown(FOCUS_IDS.composer)
}

/** Handles a key pressed anywhere in the window; returns whether it was one of the shortcuts. */
export function handleShortcut(event: KeyboardEvent): boolean {
  // Cmd on macOS, Ctrl elsewhere.
  const command = event.ctrlKey || event.metaKey
  const key = event.key.toLowerCase()
  if (command && event.shiftKey && key === 'o') {
    startNewChat()
    return true
  }
  if (command && !event.shiftKey && key === 'k') {
    goTo('chat')
    // A narrow window keeps the search in the folded conversation list.
    chatPanelStore.set('chats')
    focusWhenShown(FOCUS_IDS.search)
    return true
  }
  if (!command && !event.altKey && event.key === '/' && !typingInField(event.target)) {
    goTo('chat')
    focusWhenShown(FOCUS_IDS.composer)
    return true
  }
  return false
}
