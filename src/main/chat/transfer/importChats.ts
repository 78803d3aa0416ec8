import type { ConversationSummary } from '../../../shared/domain.js'
import { AppError } from '../../../shared/result.js'
import type { ChatRepository } from '../../store/chatRepository.js'
import { chatExportSchema, type ExportedConversation, type ExportedMessage } from './exportFormat.js'
import { chatGptExportSchema, fromChatGpt } from './importChatGpt.js'
import { replyAuthorOfLabel } from './legacyReplyLabel.js'

/** Reads a GridForge export or a ChatGPT `conversations.json`; throws one clear sentence otherwise. */
export function parseImport(text: string): ExportedConversation[] {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw new AppError('BAD_REQUEST', 'That file is not JSON; import a GridForge export or a ChatGPT conversations.json.')
  }
  if (Array.isArray(data)) {
    const parsed = chatGptExportSchema.safeParse(data)
    if (!parsed.success) throw new AppError('BAD_REQUEST', `That looks like a ChatGPT export but ${issueOf(parsed.error)}.`)
    return fromChatGpt(parsed.data)
  }
  if (typeof data === 'object' && data !== null && (data as { format?: unknown }).format === 'gridforge-chat') {
    const parsed = chatExportSchema.safeParse(data)
    if (!parsed.success) throw new AppError('BAD_REQUEST', `That GridForge export cannot be read: ${issueOf(parsed.error)}.`)
    if (parsed.data.version === 1) return parsed.data.conversations.map(fromVersion1)
    return parsed.data.conversations
  }
  throw new AppError('BAD_REQUEST', 'That file is neither a GridForge chat export nor a ChatGPT conversations.json.')
}

/**
 * Stores imported conversations as new ones (fresh ids, so importing twice never overwrites), all or
 * nothing. Returns the new conversations.
 */
export function storeImport(repo: ChatRepository, conversations: ExportedConversation[]): ConversationSummary[] {
  return repo.transaction(() =>
    conversations.map((conversation) => {
      const summary = repo.createConversation(conversation.title || 'Imported chat', conversation.settings, conversation)
      const ids = new Map<string, string>()
      for (const message of parentsFirst(conversation.messages)) {
        const stored = repo.appendMessage({
          conversationId: summary.id,
          parentId: message.parentId ? (ids.get(message.parentId) ?? null) : null,
          role: message.role,
          content: message.content,
          // A reply cut off while streaming elsewhere is not streaming here.
          state: message.state === 'streaming' ? 'interrupted' : message.state,
          model: message.model,
          ...(message.backend ? { backend: message.backend } : {}),
          ...(message.gridOrigin ? { gridOrigin: message.gridOrigin } : {}),
          ...(message.reasoning ? { reasoning: message.reasoning, reasoningMs: message.reasoningMs } : {}),
          createdAt: message.createdAt,
          selectedAt: message.selectedAt,
        })
        if (message.error) repo.saveContent(stored.id, message.content, stored.state, message.error)
        ids.set(message.id, stored.id)
      }
      repo.setActivity(summary.id, conversation.updatedAt)
      return { ...summary, updatedAt: conversation.updatedAt }
    }),
  )
}

/** A version 1 export: each reply's backend read back from the label its `model` held then. */
function fromVersion1(conversation: ExportedConversation): ExportedConversation {
  return {
    ...conversation,
    messages: conversation.messages.map((message) =>
      message.role === 'assistant' && message.model ? { ...message, ...replyAuthorOfLabel(message.model) } : message,
    ),
  }
}

/** Orders messages so every parent comes before its children; unknown parents make a message a root. */
function parentsFirst(messages: ExportedMessage[]): ExportedMessage[] {
  const byId = new Map(messages.map((message) => [message.id, message]))
  const children = new Map<string | null, ExportedMessage[]>()
  for (const message of messages) {
    const parent = message.parentId && byId.has(message.parentId) && message.parentId !== message.id ? message.parentId : null
    children.set(parent, [...(children.get(parent) ?? []), message])
  }
  const ordered: ExportedMessage[] = []
  const stack = [...(children.get(null) ?? [])].reverse()
  const seen = new Set<string>()
  while (stack.length > 0) {
    const message = stack.pop()!
    if (seen.has(message.id)) continue
    seen.add(message.id)
    ordered.push(message)
    stack.push(...[...(children.get(message.id) ?? [])].reverse())
  }
  return ordered
}

function issueOf(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0]
  if (!issue) return 'it is malformed'
  return issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message
}
