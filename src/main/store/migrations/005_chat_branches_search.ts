import type { Migration } from './index.js'

/**
 * Versions, branches, per-conversation settings, soft delete and full-text search.
 *
 * - `messages.selected_at`: among the children of one parent (the versions of a reply, or the branches
 *   after an edit) the one selected most recently is on the active path. Selecting a version stamps it;
 *   a new message is stamped when created. Deleting the selected one falls back to the next, with no
 *   pointer left dangling.
 * - `conversations.settings`: JSON checked with zod on read (system prompt, sampling, context, model).
 * - `conversations.deleted_at`: deleted conversations stay until purged, so a delete can be undone.
 * - `messages_fts`: one FTS5 table over message text and conversation titles, kept in sync by triggers.
 *   Its rowid is derived from the source row's rowid (messages even, conversations odd) so triggers can
 *   find the row to replace without a scan. VACUUM may renumber implicit rowids: rebuild the index after
 *   one (ChatRepository.rebuildSearchIndex).
 */
export const migration005ChatBranchesSearch: Migration = {
  version: 5,
  name: 'chat branches and search',
  up(db) {
    db.exec(`
      ALTER TABLE messages ADD COLUMN selected_at INTEGER NOT NULL DEFAULT 0;
      UPDATE messages SET selected_at = seq;
      CREATE INDEX messages_by_parent ON messages (parent_id);

      ALTER TABLE conversations ADD COLUMN settings TEXT;
      ALTER TABLE conversations ADD COLUMN deleted_at INTEGER;
      DROP INDEX conversations_by_activity;
      CREATE INDEX conversations_by_activity ON conversations (updated_at DESC) WHERE deleted_at IS NULL;

      CREATE VIRTUAL TABLE messages_fts USING fts5(
        body,
        conversation_id UNINDEXED,
        message_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO messages_fts (rowid, body, conversation_id, message_id)
        SELECT rowid * 2, content, conversation_id, id FROM messages;
      INSERT INTO messages_fts (rowid, body, conversation_id, message_id)
        SELECT rowid * 2 + 1, title, id, NULL FROM conversations;

      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, body, conversation_id, message_id)
          VALUES (new.rowid * 2, new.content, new.conversation_id, new.id);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid * 2;
        INSERT INTO messages_fts (rowid, body, conversation_id, message_id)
          VALUES (new.rowid * 2, new.content, new.conversation_id, new.id);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid * 2;
      END;

      CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
        INSERT INTO messages_fts (rowid, body, conversation_id, message_id)
          VALUES (new.rowid * 2 + 1, new.title, new.id, NULL);
      END;
      CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid * 2 + 1;
        INSERT INTO messages_fts (rowid, body, conversation_id, message_id)
          VALUES (new.rowid * 2 + 1, new.title, new.id, NULL);
      END;
      CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid * 2 + 1;
      END;
    `)
  },
}
