import type Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { migrate, openDatabase } from '../../src/main/store/database.js'
import { migrations } from '../../src/main/store/migrations/index.js'

/** Migration 009 on a real SQLite database: created at schema 8 with rows as version 8 wrote them. */
const open: Database.Database[] = []
afterEach(() => open.splice(0).forEach((db) => db.close()))

function databaseAt8(): Database.Database {
  const db = openDatabase(':memory:', migrations.slice(0, 8))
  open.push(db)
  db.exec(`
    INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c1', 'Walrus facts', 100, 400), ('c2', 'Lighthouse', 50, 60);
    INSERT INTO messages (id, conversation_id, parent_id, role, content, state, model, backend, grid_origin, reasoning, seq, selected_at,
                          created_at, updated_at, reply_tokens, reply_ms, finish_reason) VALUES
      ('m1', 'c1', NULL, 'user', 'Tell me about the walrus', 'complete', NULL, NULL, NULL, NULL, 1, 1, 100, 100, NULL, NULL, NULL),
      ('m2', 'c1', 'm1', 'assistant', 'Walruses have tusks.', 'complete', 'tiny.gguf', 'local', NULL, 'Think of tusks', 2, 2, 110, 120, 5, 900, 'stop'),
      ('m3', 'c1', 'm2', 'user', 'And their diet?', 'complete', NULL, NULL, NULL, NULL, 3, 3, 300, 300, NULL, NULL, NULL),
      ('m4', 'c1', 'm3', 'assistant', 'Clams, mostly', 'complete', 'gpt-oss-20b', 'aipg', 'https://api.aipowergrid.io', NULL, 4, 4, 310, 400, NULL, NULL, NULL),
      ('p1', 'c2', NULL, 'user', 'A lighthouse keeper', 'complete', NULL, NULL, NULL, NULL, 1, 1, 50, 50, NULL, NULL, NULL);
  `)
  return db
}

const schemaOf = (db: Database.Database) =>
  db
    .prepare(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'messages_fts_%' OR type = 'trigger' ORDER BY type, name",
    )
    .all()
const search = (db: Database.Database, query: string) =>
  db
    .prepare('SELECT message_id FROM messages_fts WHERE messages_fts MATCH ? AND message_id IS NOT NULL ORDER BY message_id')
    .pluck()
    .all(query)

describe('migration 009: replies written by the user’s own server', () => {
  it('keeps every row, rowid, index and search trigger, and lets a reply say it came from the server', () => {
    const db = databaseAt8()
    const before = { rows: db.prepare('SELECT rowid, * FROM messages ORDER BY rowid').all(), schema: schemaOf(db) }
    migrate(db, migrations.slice(0, 9))
    expect(db.pragma('user_version', { simple: true })).toBe(9)

    expect(db.prepare('SELECT rowid, * FROM messages ORDER BY rowid').all()).toEqual(before.rows)
    // Only the CHECK changed: same columns, indexes and triggers, word for word.
    const widen = (sql: string | null) => sql?.replace("('local', 'aipg', 'horde')", "('local', 'aipg', 'horde', 'server')") ?? null
    expect(schemaOf(db)).toEqual(before.schema.map((row) => ({ ...(row as object), sql: widen((row as { sql: string | null }).sql) })))
    expect(db.pragma('foreign_key_check')).toEqual([])

    // The search index still points at the right rows, and the recreated triggers keep it current.
    expect(search(db, 'tusks')).toEqual(['m2'])
    const repo = new ChatRepository(db)
    expect(repo.search('walrus').map((hit) => hit.messageId)).toContain('m1')
    db.prepare("UPDATE messages SET content = 'Clams and snails' WHERE id = 'm4'").run()
    expect(search(db, 'snails')).toEqual(['m4'])
    expect(search(db, 'mostly')).toEqual([])

    db.prepare(
      `INSERT INTO messages (id, conversation_id, parent_id, role, content, state, model, backend, grid_origin, seq, selected_at, created_at, updated_at)
       VALUES ('m5', 'c1', 'm4', 'assistant', 'From my own server', 'complete', 'llama3', 'server', 'http://127.0.0.1:11434', 5, 5, 500, 500)`,
    ).run()
    expect(repo.getMessage('m5')).toMatchObject({ backend: 'server', model: 'llama3', content: 'From my own server' })
    expect(search(db, 'server')).toEqual(['m5'])
    expect(() => db.prepare("UPDATE messages SET backend = 'elsewhere' WHERE id = 'm5'").run()).toThrow(/CHECK constraint failed/)

    // The foreign keys still hold: a reply's parent must exist, and deleting a message deletes its replies.
    expect(() =>
      db
        .prepare(
          "INSERT INTO messages (id, conversation_id, parent_id, role, content, state, seq, created_at, updated_at) VALUES ('x', 'c1', 'nope', 'user', 'x', 'complete', 9, 1, 1)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/)
    db.prepare("DELETE FROM messages WHERE id = 'm3'").run()
    expect(db.prepare("SELECT id FROM messages WHERE conversation_id = 'c1' ORDER BY seq").pluck().all()).toEqual(['m1', 'm2'])
    expect(search(db, 'server')).toEqual([])
    db.prepare("DELETE FROM conversations WHERE id = 'c2'").run()
    expect(db.prepare("SELECT count(*) FROM messages WHERE conversation_id = 'c2'").pluck().get()).toBe(0)
  })
})
