import type { Conversation } from '../../../shared/domain.js'
import { replyLabel } from '../../../shared/gridChat.js'
import type { ChatRepository } from '../../store/chatRepository.js'
import { EXPORT_VERSION, type ChatExport, type ExportedConversation } from './exportFormat.js'

/** One conversation with every branch, as the export file holds it. */
export function exportConversation(repo: ChatRepository, conversationId: string): ExportedConversation | null {
  const summary = repo.getConversation(conversationId)
  if (!summary) return null
  return {
    ...summary,
    settings: repo.getSettings(conversationId),
    messages: repo.listAllMessages(conversationId).map((message) => ({
      id: message.id,
      parentId: message.parentId,
      role: message.role,
      content: message.content,
      state: message.state,
      error: message.error,
      model: message.model,
      ...(message.backend ? { backend: message.backend } : {}),
      ...(message.gridOrigin ? { gridOrigin: message.gridOrigin } : {}),
      ...(message.reasoning ? { reasoning: message.reasoning } : {}),
      ...(message.reasoningMs !== undefined ? { reasoningMs: message.reasoningMs } : {}),
      selectedAt: message.selectedAt,
      createdAt: message.createdAt,
      updatedAt: message.updatedAt,
    })),
  }
}

/** The lossless JSON export of some conversations. */
export function exportJson(repo: ChatRepository, conversationIds: string[], now = Date.now()): string {
  const file: ChatExport = {
    format: 'gridforge-chat',
    version: EXPORT_VERSION,
    exportedAt: now,
    conversations: conversationIds.map((id) => exportConversation(repo, id)).filter((conversation) => conversation !== null),
  }
  return JSON.stringify(file, null, 1)
}

const SPEAKERS = { user: 'You', assistant: 'Assistant', system: 'System prompt' } as const

/** A conversation's active path as Markdown, for reading and sharing (branches are in the JSON export). */
export function conversationMarkdown(conversation: Conversation): string {
  const lines = [`# ${conversation.title}`, '']
  const systemPrompt = conversation.settings?.systemPrompt.trim()
  if (systemPrompt) lines.push('## System prompt', '', systemPrompt, '')
  for (const message of conversation.messages) {
    const label = message.role === 'assistant' ? replyLabel(message) : null
    const speaker = label ? `Assistant (${label})` : SPEAKERS[message.role]
    lines.push(`## ${speaker}`, '', message.content, '')
  }
  return lines.join('\n')
}
