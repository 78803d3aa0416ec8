import type Database from 'better-sqlite3'
import type { ConversationSettings } from '../../shared/chatSettings.js'
import type { ConversationSummary, MessageRole, MessageState, ReplyBackend } from '../../shared/domain.js'
import { inTurn } from './writeTurns.js'

/** Where the next imported message goes in its conversation: its `seq` and the lowest `selected_at` it may take. */
export interface AppendCursor {
  seq: number
  selected: number
}

/** The cursor of a conversation with no messages yet. */
export const FIRST_CURSOR: AppendCursor = { seq: 1, selected: 1 }

/** One imported message as it is stored, with the id the import chose. */
export interface ImportedRow {
  id: string
  parentId: string | null
  role: MessageRole
  content: string
  state: MessageState
  error: string | null
  model: string | null
  backend: ReplyBackend | null
  gridOrigin: string | null
  reasoning: string | null
  reasoningMs: number | null
  createdAt: number
  /** The export's selection stamp; null takes the next one, as a new message would. */
  selectedAt: number | null
}

/**
 * The writes of an import (migration 010). A conversation being imported is hidden and listed in
 * `chat_imports`, so the per-row search trigger skips its messages; each slice is indexed by one statement
 * in the slice's own transaction. Statements are prepared once; no write reads a row back. Every
 * transaction is IMMEDIATE: on the import thread's own connection it takes the write lock at BEGIN, so the
 * host's writes wait for at most one slice and no slice has to turn a read into a write halfway.
 */
export class ChatImports {
  private readonly statements

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    this.statements = {
      insertConversation: db.prepare<[string, string, string, number, number, number]>(
        'INSERT INTO conversations (id, title, settings, created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      markImporting: db.prepare<[string]>('INSERT INTO chat_imports (conversation_id) VALUES (?)'),
      insertMessage: db.prepare<
        [
          string,
          string,
          string | null,
          MessageRole,
          string,
          MessageState,
          string | null,
          string | null,
          ReplyBackend | null,
          string | null,
          string | null,
          number | null,
          number,
          number,
          number,
          number,
        ]
      >(
        `INSERT INTO messages (id, conversation_id, parent_id, role, content, state, error, model, backend, grid_origin,
           reasoning, reasoning_ms, seq, selected_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      // The unary + keeps SQLite on the rowid range: through messages_by_conversation it would read every
      // message of the conversation stored so far, each slice (quadratic, and most of an import's time).
      indexRange: db.prepare<[string, number, number]>(
        `INSERT INTO messages_fts (rowid, body, conversation_id, message_id)
           SELECT rowid * 2, content, conversation_id, id FROM messages
           WHERE +conversation_id = ? AND rowid BETWEEN ? AND ?`,
      ),
      finish: db.prepare<[number, string]>('UPDATE conversations SET deleted_at = NULL, updated_at = ? WHERE id = ?'),
      doneImporting: db.prepare<[string]>('DELETE FROM chat_imports WHERE conversation_id = ?'),
      unfinished: db.prepare<[], string>('SELECT conversation_id FROM chat_imports').pluck(),
      unlinkMessages: db.prepare<[string]>('UPDATE messages SET parent_id = NULL WHERE conversation_id = ?'),
      discard: db.prepare<[string]>('DELETE FROM conversations WHERE id = ?'),
    }
  }

  private write<T>(work: () => T): T {
    return inTurn(this.db, () => this.db.transaction(work).immediate())
  }

  /** A new, hidden conversation that the import fills. */
  begin(id: string, title: string, settings: ConversationSettings, times: { createdAt: number; updatedAt: number }): ConversationSummary {
    this.write(() => {
      this.statements.insertConversation.run(id, title, JSON.stringify(settings), times.createdAt, times.updatedAt, this.now())
      this.statements.markImporting.run(id)
    })
    return { id, title, createdAt: times.createdAt, updatedAt: times.updatedAt }
  }

  /**
   * One slice: stores the rows `next` gives, placed after `cursor`, and indexes them for search, in one
   * transaction. `next` returns undefined to end the slice (its time is up, or the rows are), so a slice
   * ends on time however long its messages are, and no row is made that the slice will not store.
   * Returns how many rows it stored and the cursor for the next slice.
   */
  appendSlice(conversationId: string, next: () => ImportedRow | undefined, cursor: AppendCursor): { stored: number; cursor: AppendCursor } {
    return this.write(() => {
      const now = this.now()
      let { seq, selected } = cursor
      let first = 0
      let last = 0
      let stored = 0
      for (let row = next(); row !== undefined; row = next()) {
        const used = row.selectedAt ?? selected
        const rowid = Number(
          this.statements.insertMessage.run(
            row.id,
            conversationId,
            row.parentId,
            row.role,
            row.content,
            row.state,
            row.error,
            row.model,
            row.backend,
            row.gridOrigin,
            row.reasoning,
            row.reasoning === null ? null : row.reasoningMs,
            seq,
            used,
            row.createdAt,
            now,
          ).lastInsertRowid,
        )
        if (first === 0) first = rowid
        last = rowid
        seq += 1
        selected = Math.max(selected - 1, used) + 1
        stored += 1
      }
      if (first !== 0) this.statements.indexRange.run(conversationId, first, last)
      return { stored, cursor: { seq, selected } }
    })
  }

  /** Shows the imported conversations together, each with its own last-activity time. */
  finish(conversations: ReadonlyArray<{ id: string; updatedAt: number }>): void {
    this.write(() => {
      for (const { id, updatedAt } of conversations) {
        this.statements.doneImporting.run(id)
        this.statements.finish.run(updatedAt, id)
      }
    })
  }

  /** Removes a conversation an import stored part of, with its messages and their index entries. */
  abandon(id: string): void {
    // Unlinked first: through parent_id's cascade, a long chain is a recursion deeper than SQLite allows.
    this.write(() => {
      this.statements.unlinkMessages.run(id)
      this.statements.discard.run(id)
    })
  }

  /** At start: removes what imports killed halfway (a crash, kill -9) had stored; returns how many. */
  abandonUnfinished(): number {
    const unfinished = this.statements.unfinished.all()
    for (const id of unfinished) this.abandon(id)
    return unfinished.length
  }
}
