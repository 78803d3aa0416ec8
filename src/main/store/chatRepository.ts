import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import type {
  ConversationSummary,
  Message,
  MessageRole,
  MessageState,
} from '../../shared/domain.js'

interface MessageRow {
  id: string
  conversation_id: string
  role: MessageRole
  content: string
  state: MessageState
  error: string | null
  model: string | null
  created_at: number
  updated_at: number
}

interface ConversationRow {
  id: string
  title: string
  created_at: number
  updated_at: number
}

const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  conversationId: row.conversation_id,
  role: row.role,
  content: row.content,
  state: row.state,
  error: row.error,
  model: row.model,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

const toSummary = (row: ConversationRow): ConversationSummary => ({
  id: row.id,
  title: row.title,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

/** A new message before it is stored. */
export interface NewMessage {
  conversationId: string
  role: MessageRole
  content: string
  state: MessageState
  model: string | null
}

/** The only code that reads and writes conversations and messages. Statements are prepared once. */
export class ChatRepository {
  private readonly statements

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    this.statements = {
      insertConversation: db.prepare(
        'INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)',
      ),
      touchConversation: db.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?'),
      listConversations: db.prepare<[], ConversationRow>(
        'SELECT id, title, created_at, updated_at FROM conversations ORDER BY updated_at DESC, rowid DESC',
      ),
      getConversation: db.prepare<[string], ConversationRow>(
        'SELECT id, title, created_at, updated_at FROM conversations WHERE id = ?',
      ),
      deleteConversation: db.prepare('DELETE FROM conversations WHERE id = ?'),
      nextSeq: db.prepare<[string], { next: number }>(
        'SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM messages WHERE conversation_id = ?',
      ),
      insertMessage: db.prepare(
        `INSERT INTO messages (id, conversation_id, parent_id, role, content, state, error, model, seq,
           created_at, updated_at)
         VALUES (@id, @conversationId, @parentId, @role, @content, @state, NULL, @model, @seq, @now, @now)`,
      ),
      lastMessageId: db.prepare<[string], { id: string }>(
        'SELECT id FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT 1',
      ),
      listMessages: db.prepare<[string], MessageRow>(
        `SELECT id, conversation_id, role, content, state, error, model, created_at, updated_at
         FROM messages WHERE conversation_id = ? ORDER BY seq`,
      ),
      getMessage: db.prepare<[string], MessageRow>(
        `SELECT id, conversation_id, role, content, state, error, model, created_at, updated_at
         FROM messages WHERE id = ?`,
      ),
      updateContent: db.prepare(
        'UPDATE messages SET content = ?, state = ?, error = ?, updated_at = ? WHERE id = ?',
      ),
      interruptStreaming: db.prepare(
        "UPDATE messages SET state = 'interrupted', updated_at = ? WHERE state = 'streaming'",
      ),
    }
  }

  createConversation(title: string): ConversationSummary {
    const now = this.now()
    const id = randomUUID()
    this.statements.insertConversation.run(id, title, now, now)
    return { id, title, createdAt: now, updatedAt: now }
  }

  listConversations(): ConversationSummary[] {
    return this.statements.listConversations.all().map(toSummary)
  }

  getConversation(id: string): ConversationSummary | null {
    const row = this.statements.getConversation.get(id)
    return row ? toSummary(row) : null
  }

  deleteConversation(id: string): boolean {
    return this.statements.deleteConversation.run(id).changes > 0
  }

  /** Appends a message after the conversation's last one and bumps the conversation's activity time. */
  appendMessage(message: NewMessage): Message {
    const now = this.now()
    const id = randomUUID()
    this.db.transaction(() => {
      const parentId = this.statements.lastMessageId.get(message.conversationId)?.id ?? null
      const seq = this.statements.nextSeq.get(message.conversationId)?.next ?? 1
      this.statements.insertMessage.run({ ...message, id, parentId, seq, now })
      this.statements.touchConversation.run(now, message.conversationId)
    })()
    return { ...message, id, error: null, createdAt: now, updatedAt: now }
  }

  listMessages(conversationId: string): Message[] {
    return this.statements.listMessages.all(conversationId).map(toMessage)
  }

  getMessage(id: string): Message | null {
    const row = this.statements.getMessage.get(id)
    return row ? toMessage(row) : null
  }

  /** Saves a reply's text so far (while streaming) or its final text and state. */
  saveContent(id: string, content: string, state: MessageState, error: string | null = null): void {
    this.statements.updateContent.run(content, state, error, this.now(), id)
  }

  /** Marks replies left streaming by a previous run (killed or crashed) as interrupted. */
  markStreamingInterrupted(): number {
    return this.statements.interruptStreaming.run(this.now()).changes
  }
}
