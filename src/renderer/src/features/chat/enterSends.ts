import type { KeyboardEvent } from 'react'

/**
 * The keys of every text box that sends something in the chat (the composer, the edit box): Enter sends,
 * Shift+Enter adds a line, Enter while an input method is composing a character does neither.
 */
export function enterSends(event: KeyboardEvent<HTMLTextAreaElement>, send: () => void): void {
  if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
    event.preventDefault()
    send()
  }
}
