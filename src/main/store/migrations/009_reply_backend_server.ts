import type { Migration } from './index.js'

const OLD_CHECK = "CHECK (backend IN ('local', 'aipg', 'horde'))"
const NEW_CHECK = "CHECK (backend IN ('local', 'aipg', 'horde', 'server'))"

/**
 * Replies written by the inference server the user runs (bridge mode, issue 18): `messages.backend` may be
 * `server`, and `grid_origin` then holds that server's origin (the "where it came from" of the reply).
 *
 * SQLite cannot change a CHECK in place, so `messages` is rebuilt. The new table is made from the table's own
 * stored CREATE statement with only the CHECK changed, so every column, default and constraint that
 * migrations 001–008 gave it stays exactly as it was. The rebuild runs inside the migration's transaction
 * with foreign keys on, which decides the order:
 *
 * - The old table is renamed first. `parent_id` is the only reference to `messages` in the schema (checked
 *   below), and the rename re-points it to the old table, so dropping the old table deletes nothing from the new one.
 * - Rows are copied with their rowids: the search index (`messages_fts`) is keyed by `rowid * 2`, so it
 *   stays right without a rebuild. One INSERT copies them all: a reply may precede its parent by rowid,
 *   and foreign keys are checked at the end of the statement.
 * - The renamed table takes its indexes and triggers with it; they are created again afterwards under their
 *   own names, the triggers exactly as migration 005 wrote them.
 */
export const migration009ReplyBackendServer: Migration = {
  version: 9,
  name: 'reply backend server',
  up(db) {
    const table = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'messages'").pluck().get() as string
    if (!table.includes(OLD_CHECK)) throw new Error('messages.backend does not have the CHECK migration 007 gave it.')
    const referencing = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'messages' AND sql LIKE '%REFERENCES messages%'")
      .pluck()
      .all()
    if (referencing.length) throw new Error(`Tables that reference messages would lose their rows: ${referencing.join(', ')}.`)
    const columns = (db.prepare('PRAGMA table_info(messages)').all() as Array<{ name: string }>).map((column) => column.name).join(', ')

    db.exec(`
      DROP TRIGGER messages_fts_insert;
      DROP TRIGGER messages_fts_update;
      DROP TRIGGER messages_fts_delete;
      ALTER TABLE messages RENAME TO messages_before_009;
    `)
    db.exec(table.replace(OLD_CHECK, NEW_CHECK))
    db.exec(`
      INSERT INTO messages (rowid, ${columns}) SELECT rowid, ${columns} FROM messages_before_009;
      DROP TABLE messages_before_009;

      CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);
      CREATE INDEX messages_by_state ON messages (state) WHERE state = 'streaming';
      CREATE INDEX messages_by_parent ON messages (parent_id);

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
    `)
    const broken = db.prepare('PRAGMA foreign_key_check').all()
    if (broken.length) throw new Error(`The rebuilt messages table breaks ${broken.length} foreign keys.`)
  },
}
