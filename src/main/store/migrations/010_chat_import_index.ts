import type { Migration } from './index.js'

/**
 * Imports index their messages for search a slice at a time instead of row by row.
 *
 * - `chat_imports`: the conversations an import is still writing. They stay hidden (soft-deleted) until
 *   the import finishes; one still listed at start belongs to an import that was killed, and is removed.
 * - `messages_fts_insert` now skips messages of those conversations: the import indexes each slice with one
 *   `INSERT … SELECT` in the same transaction as the rows (the per-row trigger was half an import's cost),
 *   so a kill at any point leaves messages and the index in step.
 */
export const migration010ChatImportIndex: Migration = {
  version: 10,
  name: 'chat import index',
  up(db) {
    db.exec(`
      CREATE TABLE chat_imports (
        conversation_id TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE
      ) WITHOUT ROWID;

      DROP TRIGGER messages_fts_insert;
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
        WHEN NOT EXISTS (SELECT 1 FROM chat_imports WHERE conversation_id = new.conversation_id)
      BEGIN
        INSERT INTO messages_fts (rowid, body, conversation_id, message_id)
          VALUES (new.rowid * 2, new.content, new.conversation_id, new.id);
      END;
    `)
  },
}
