import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import { conversationSettingsSchema, DEFAULT_CONVERSATION_SETTINGS, type ConversationSettings } from '../../shared/chatSettings.js'
import type {
  ChatSearchHit,
  ConversationSummary,
  Message,
  MessageRole,
  MessageState,
  ReplyBackend,
  ReplyStats,
} from '../../shared/domain.js'
import type { FinishReason } from '../../shared/generation.js'
import { ChatImports } from './chatImports.js'
import { activePath, type TreeMessage } from './messageTree.js'
import { ftsQueryOf, snippetParts, SNIPPET_CLOSE, SNIPPET_OPEN } from './searchQuery.js'
import { inTurn } from './writeTurns.js'

interface MessageRow {
  id: string
  conversation_id: string
  parent_id: string | null
  role: MessageRole
  content: string
  state: MessageState
  error: string | null
  model: string | null
  backend: ReplyBackend | null
  grid_origin: string | null
  reasoning: string | null
  reasoning_ms: number | null
  context_shifted: number
  reply_tokens: number | null
  reply_ms: number | null
  finish_reason: FinishReason | null
  seq: number
  selected_at: number
  created_at: number
  updated_at: number
}

interface ConversationRow {
  id: string
  title: string
  created_at: number
  updated_at: number
}

interface SearchRow {
  conversation_id: string
  message_id: string | null
  snippet: string
  title: string
  updated_at: number
}

const MESSAGE_COLUMNS =
  'id, conversation_id, parent_id, role, content, state, error, model, backend, grid_origin, reasoning, reasoning_ms, context_shifted, reply_tokens, reply_ms, finish_reason, seq, selected_at, created_at, updated_at'

const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  conversationId: row.conversation_id,
  parentId: row.parent_id,
  role: row.role,
  content: row.content,
  state: row.state,
  error: row.error,
  model: row.model,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  ...(row.backend ? { backend: row.backend } : {}),
  ...(row.grid_origin ? { gridOrigin: row.grid_origin } : {}),
  ...(row.reasoning ? { reasoning: row.reasoning } : {}),
  ...(row.reasoning && row.reasoning_ms !== null ? { reasoningMs: row.reasoning_ms } : {}),
  ...(row.context_shifted ? { contextShifted: true } : {}),
  ...(row.finish_reason
    ? { stats: { tokens: row.reply_tokens ?? 0, durationMs: row.reply_ms ?? 0, finishReason: row.finish_reason } }
    : {}),
})

const toTreeMessage = (row: MessageRow): TreeMessage => ({
  ...toMessage(row),
  parentId: row.parent_id,
  seq: row.seq,
  selectedAt: row.selected_at,
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
  /** The message it follows; null for a first message. */
  parentId: string | null
  role: MessageRole
  content: string
  state: MessageState
  model: string | null
  /** Which backend writes (or wrote) a reply; absent for the user's messages. */
  backend?: ReplyBackend
  gridOrigin?: string
  /** Kept from an import; a streaming reply's thinking is saved with `saveContent`. */
  reasoning?: string
  reasoningMs?: number
  /** Kept from an import; otherwise now. */
  createdAt?: number
  /** Kept from an import; otherwise the message becomes the selected version. */
  selectedAt?: number
}

/** A message of a batch, with the id the caller chose. */
type BatchMessage = Omit<NewMessage, 'conversationId'> & { id: string }

/** The only code that reads and writes conversations and messages. Statements are prepared once. */
export class ChatRepository {
  private readonly statements
  private importWriter: ChatImports | null = null

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    this.statements = {
      insertConversation: db.prepare('INSERT INTO conversations (id, title, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'),
      touchConversation: db.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?'),
      listConversations: db.prepare<[], ConversationRow>(
        `SELECT id, title, created_at, updated_at FROM conversations WHERE deleted_at IS NULL
         ORDER BY updated_at DESC, rowid DESC`,
      ),
      getConversation: db.prepare<[string], ConversationRow>(
        'SELECT id, title, created_at, updated_at FROM conversations WHERE id = ? AND deleted_at IS NULL',
      ),
      getSettings: db.prepare<[string], { settings: string | null }>('SELECT settings FROM conversations WHERE id = ?'),
      saveSettings: db.prepare('UPDATE conversations SET settings = ? WHERE id = ? AND deleted_at IS NULL'),
      rename: db.prepare('UPDATE conversations SET title = ? WHERE id = ? AND deleted_at IS NULL'),
      softDelete: db.prepare('UPDATE conversations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL'),
      restore: db.prepare('UPDATE conversations SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL'),
      unlinkDeleted: db.prepare(
        `UPDATE messages SET parent_id = NULL
         WHERE conversation_id IN (SELECT id FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ?)`,
      ),
      purgeDeleted: db.prepare('DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ?'),
      nextSeq: db.prepare<[string], { seq: number; selected: number }>(
        `SELECT COALESCE(MAX(seq), 0) + 1 AS seq, COALESCE(MAX(selected_at), 0) + 1 AS selected
         FROM messages WHERE conversation_id = ?`,
      ),
      insertMessage: db.prepare(
        `INSERT INTO messages (id, conversation_id, parent_id, role, content, state, error, model, backend, grid_origin,
           reasoning, reasoning_ms, seq, selected_at, created_at, updated_at)
         VALUES (@id, @conversationId, @parentId, @role, @content, @state, NULL, @model, @backend, @gridOrigin,
           @reasoning, @reasoningMs, @seq, COALESCE(@selectedAt, @selected), @createdAt, @now)`,
      ),
      listMessages: db.prepare<[string], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY seq`),
      getMessage: db.prepare<[string], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
      listTree: db.prepare<[string], { id: string; parent_id: string | null; seq: number; selected_at: number }>(
        'SELECT id, parent_id, seq, selected_at FROM messages WHERE conversation_id = ? ORDER BY seq',
      ),
      messagesByIds: db.prepare<[string], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS.split(', ')
          .map((column) => `m.${column}`)
          .join(', ')}
         FROM json_each(?) j JOIN messages m ON m.id = j.value ORDER BY j.key`,
      ),
      selectWithAncestors: db.prepare(
        `WITH RECURSIVE up (id, parent_id) AS (
           SELECT id, parent_id FROM messages WHERE id = @id
           UNION ALL SELECT m.id, m.parent_id FROM messages m JOIN up ON m.id = up.parent_id
         )
         UPDATE messages SET selected_at = @selected WHERE id IN (SELECT id FROM up)`,
      ),
      reparentChildren: db.prepare('UPDATE messages SET parent_id = ? WHERE parent_id = ?'),
      deleteMessage: db.prepare('DELETE FROM messages WHERE id = ?'),
      updateContent: db.prepare('UPDATE messages SET content = ?, state = ?, error = ?, updated_at = ? WHERE id = ?'),
      updateReasoning: db.prepare('UPDATE messages SET reasoning = ?, reasoning_ms = ? WHERE id = ?'),
      markContextShifted: db.prepare<[string]>('UPDATE messages SET context_shifted = 1 WHERE id = ?'),
      saveStats: db.prepare<[number, number, FinishReason, string]>(
        'UPDATE messages SET reply_tokens = ?, reply_ms = ?, finish_reason = ? WHERE id = ?',
      ),
      interruptStreaming: db.prepare("UPDATE messages SET state = 'interrupted', updated_at = ? WHERE state = 'streaming'"),
      search: db.prepare<[string, number], SearchRow>(
        `SELECT f.conversation_id, f.message_id, c.title, c.updated_at,
           snippet(messages_fts, 0, '${SNIPPET_OPEN}', '${SNIPPET_CLOSE}', '…', 12) AS snippet
         FROM messages_fts f JOIN conversations c ON c.id = f.conversation_id
         WHERE messages_fts MATCH ? AND c.deleted_at IS NULL
         ORDER BY rank LIMIT ?`,
      ),
    }
  }

  /** An import's writes: hidden conversations filled a slice at a time, indexed per slice (prepared when first used). */
  get imports(): ChatImports {
    this.importWriter ??= new ChatImports(this.db, this.now)
    return this.importWriter
  }

  createConversation(
    title: string,
    settings: ConversationSettings = DEFAULT_CONVERSATION_SETTINGS,
    times?: { createdAt: number; updatedAt: number },
  ): ConversationSummary {
    const now = this.now()
    const id = randomUUID()
    const createdAt = times?.createdAt ?? now
    const updatedAt = times?.updatedAt ?? now
    this.once(() => this.statements.insertConversation.run(id, title, JSON.stringify(settings), createdAt, updatedAt))
    return { id, title, createdAt, updatedAt }
  }

  /** Conversations not deleted, most recently active first. */
  listConversations(): ConversationSummary[] {
    return this.statements.listConversations.all().map(toSummary)
  }

  /** A conversation, or null when it does not exist or is deleted. */
  getConversation(id: string): ConversationSummary | null {
    const row = this.statements.getConversation.get(id)
    return row ? toSummary(row) : null
  }

  /** A conversation's settings; defaults for rows written before settings existed or not readable. */
  getSettings(id: string): ConversationSettings {
    const raw = this.statements.getSettings.get(id)?.settings
    if (!raw) return DEFAULT_CONVERSATION_SETTINGS
    try {
      const parsed = conversationSettingsSchema.safeParse(JSON.parse(raw))
      return parsed.success ? parsed.data : DEFAULT_CONVERSATION_SETTINGS
    } catch {
      return DEFAULT_CONVERSATION_SETTINGS
    }
  }

  saveSettings(id: string, settings: ConversationSettings): boolean {
    return this.once(() => this.statements.saveSettings.run(JSON.stringify(settings), id)).changes > 0
  }

  rename(id: string, title: string): boolean {
    return this.once(() => this.statements.rename.run(title, id)).changes > 0
  }

  /** Hides a conversation until it is restored or purged. */
  softDelete(id: string): boolean {
    return this.once(() => this.statements.softDelete.run(this.now(), id)).changes > 0
  }

  restore(id: string): boolean {
    return this.once(() => this.statements.restore.run(id)).changes > 0
  }

  /** Removes for good the conversations deleted at or before `before`; returns how many. */
  purgeDeleted(before: number): number {
    // Unlinked first: through parent_id's cascade, a long chain is a recursion deeper than SQLite allows.
    return this.write(() => {
      this.statements.unlinkDeleted.run(before)
      return this.statements.purgeDeleted.run(before).changes
    })
  }

  /** Stores a message after `parentId`, selects it, and bumps the conversation's activity time. */
  appendMessage(message: NewMessage): Message {
    const now = this.now()
    const id = randomUUID()
    const { conversationId, ...fields } = message
    this.insertMessages(conversationId, [{ ...fields, id }], now)
    const { createdAt = now, selectedAt: _selectedAt, ...rest } = message
    return { ...rest, id, error: null, createdAt, updatedAt: now }
  }

  /** Messages after the conversation's last, in one transaction (imports write through `imports`). */
  private insertMessages(conversationId: string, messages: ReadonlyArray<BatchMessage>, now: number): void {
    this.write(() => {
      let { seq, selected } = this.statements.nextSeq.get(conversationId)!
      for (const message of messages) {
        const {
          createdAt = now,
          selectedAt = null,
          backend = null,
          gridOrigin = null,
          reasoning = null,
          reasoningMs = null,
          ...columns
        } = message
        const used = selectedAt ?? selected
        this.statements.insertMessage.run({
          ...columns,
          conversationId,
          seq,
          selected,
          selectedAt,
          createdAt,
          now,
          backend,
          gridOrigin,
          reasoning: reasoning || null,
          reasoningMs: reasoning ? reasoningMs : null,
        })
        seq += 1
        selected = Math.max(selected - 1, used) + 1
      }
      this.statements.touchConversation.run(now, conversationId)
    })
  }

  /** Every message of a conversation, all branches, in the order they were written. */
  listAllMessages(conversationId: string): TreeMessage[] {
    return this.statements.listMessages.all(conversationId).map(toTreeMessage)
  }

  /** The active path and, for messages on it with several versions, their sibling ids. */
  activePath(conversationId: string): { messages: Message[]; versions: Record<string, string[]> } {
    const path = activePath(this.listAllMessages(conversationId))
    return {
      messages: path.messages.map(({ seq: _seq, selectedAt: _selected, ...message }) => message),
      versions: path.versions,
    }
  }

  /**
   * The ids on the active path, first to last, and the versions of those with several; reads no
   * message text, so a long conversation can be opened a page at a time.
   */
  activePathIds(conversationId: string): { ids: string[]; versions: Record<string, string[]> } {
    const nodes = this.statements.listTree.all(conversationId).map((row) => ({
      id: row.id,
      parentId: row.parent_id,
      seq: row.seq,
      selectedAt: row.selected_at,
    }))
    const path = activePath(nodes)
    return { ids: path.messages.map((node) => node.id), versions: path.versions }
  }

  /** These messages, in the order given. */
  messagesByIds(ids: readonly string[]): Message[] {
    if (ids.length === 0) return []
    return this.statements.messagesByIds.all(JSON.stringify(ids)).map(toMessage)
  }

  /** Puts a message and its ancestors on the active path. */
  selectMessage(id: string): void {
    const message = this.getMessage(id)
    if (!message) return
    const { selected } = this.statements.nextSeq.get(message.conversationId)!
    this.once(() => this.statements.selectWithAncestors.run({ id, selected }))
  }

  getMessage(id: string): Message | null {
    const row = this.statements.getMessage.get(id)
    return row ? toMessage(row) : null
  }

  /** Deletes one message; what followed it now follows its parent, so nothing else is lost. */
  deleteMessage(id: string): boolean {
    return this.write(() => {
      const message = this.statements.getMessage.get(id)
      if (!message) return false
      this.statements.reparentChildren.run(message.parent_id, id)
      this.statements.deleteMessage.run(id)
      this.statements.touchConversation.run(this.now(), message.conversation_id)
      return true
    })
  }

  /**
   * Saves a reply's text so far (while streaming) or its final text and state; with `reasoning`, the
   * model's thinking so far and how long it took (null while it is still thinking), in the same transaction.
   */
  saveContent(
    id: string,
    content: string,
    state: MessageState,
    error: string | null = null,
    reasoning?: { text: string; ms: number | null },
  ): void {
    if (!reasoning) {
      this.once(() => this.statements.updateContent.run(content, state, error, this.now(), id))
      return
    }
    this.write(() => {
      this.statements.updateContent.run(content, state, error, this.now(), id)
      this.statements.updateReasoning.run(reasoning.text || null, reasoning.text ? reasoning.ms : null, id)
    })
  }

  /** Notes that older messages were left out of the context when this reply was written. */
  markContextShifted(id: string): void {
    this.once(() => this.statements.markContextShifted.run(id))
  }

  /** Keeps how a finished reply was written: its token count, time and why it ended. */
  saveStats(id: string, stats: ReplyStats): void {
    this.once(() => this.statements.saveStats.run(stats.tokens, stats.durationMs, stats.finishReason, id))
  }

  /** Marks replies left streaming by a previous run (killed or crashed) as interrupted. */
  markStreamingInterrupted(): number {
    return this.once(() => this.statements.interruptStreaming.run(this.now())).changes
  }

  /** Full-text search over titles and messages of conversations not deleted, best matches first. */
  search(query: string, limit = 50): ChatSearchHit[] {
    const match = ftsQueryOf(query)
    if (!match) return []
    return this.statements.search.all(match, limit).map((row) => ({
      conversationId: row.conversation_id,
      title: row.title,
      messageId: row.message_id,
      snippet: snippetParts(row.snippet),
      updatedAt: row.updated_at,
    }))
  }

  /** Rebuilds the search index from the tables (after a VACUUM, which may renumber rowids). */
  rebuildSearchIndex(): void {
    this.write(() => {
      this.db.exec(`
        DELETE FROM messages_fts;
        INSERT INTO messages_fts (rowid, body, conversation_id, message_id)
          SELECT rowid * 2, content, conversation_id, id FROM messages;
        INSERT INTO messages_fts (rowid, body, conversation_id, message_id)
          SELECT rowid * 2 + 1, title, id, NULL FROM conversations;
      `)
    })
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: () => T): T {
    return this.write(work)
  }

  /**
   * One write transaction, IMMEDIATE: with a second connection writing (the import thread), a transaction
   * that read before it wrote failed at once with SQLITE_BUSY (SQLite does not wait for a lock it cannot
   * get while a read is open); taking the write lock at BEGIN waits the busy timeout instead.
   */
  private write<T>(work: () => T): T {
    return inTurn(this.db, () => this.db.transaction(work).immediate())
  }

  /** One statement on its own, in this connection's turn at the write lock. */
  private once<T>(write: () => T): T {
    return inTurn(this.db, write)
  }
}
