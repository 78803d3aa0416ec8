import type { ExportedConversation } from '../../src/main/chat/transfer/exportFormat.js'
import { DEFAULT_CONVERSATION_SETTINGS } from '../../src/shared/chatSettings.js'

/** One long conversation as an export holds it: a chain of `count` messages, user and assistant in turn. */
export function longConversation(count: number): ExportedConversation {
  return {
    id: 'long',
    title: 'A long chat',
    createdAt: 1,
    updatedAt: 2,
    settings: DEFAULT_CONVERSATION_SETTINGS,
    messages: Array.from({ length: count }, (_, i) => ({
      id: `m${i}`,
      parentId: i === 0 ? null : `m${i - 1}`,
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content: `message number ${i} word${i}`,
      state: 'complete' as const,
      error: null,
      model: null,
      selectedAt: i + 1,
      createdAt: i,
      updatedAt: i,
    })),
  }
}
