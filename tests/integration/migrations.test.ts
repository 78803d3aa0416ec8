import type Database from 'better-sqlite3'
import { z } from 'zod'
import { afterEach, describe, expect, it } from 'vitest'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { migrate, openDatabase } from '../../src/main/store/database.js'
import { JobsRepository } from '../../src/main/store/jobsRepository.js'
import { activePath } from '../../src/main/store/messageTree.js'
import { migrations } from '../../src/main/store/migrations/index.js'
import { ModelsRepository } from '../../src/main/store/modelsRepository.js'
import { SettingsRepository } from '../../src/main/store/settingsRepository.js'
import { DEFAULT_CONVERSATION_SETTINGS } from '../../src/shared/chatSettings.js'
import { backendOf, replyLabel, wentToGrid } from '../../src/shared/gridChat.js'

/**
 * Each migration on a real SQLite database: created at the version before it with rows as that version
 * wrote them, migrated, then read the way the app reads them.
 */
const open: Database.Database[] = []
afterEach(() => open.splice(0).forEach((db) => db.close()))

function databaseAt(version: number): Database.Database {
  const db = openDatabase(':memory:', migrations.slice(0, version))
  open.push(db)
  expect(db.pragma('user_version', { simple: true })).toBe(version)
  return db
}

/** Migrates with the first `count` migrations; the schema is then at the last one's version. */
function migrateTo(db: Database.Database, count: number): void {
  migrate(db, migrations.slice(0, count))
  expect(db.pragma('user_version', { simple: true })).toBe(migrations[count - 1]!.version)
}

/** Rows as schema 1 to 4 wrote them: no versions, settings, soft delete or search yet. */
function insertOldChat(db: Database.Database): void {
  db.exec(`
    INSERT INTO conversations (id, title, created_at, updated_at) VALUES
      ('c1', 'Walrus facts', 100, 400),
      ('c2', 'Lighthouse poem', 50, 60);
    INSERT INTO messages (id, conversation_id, parent_id, role, content, state, error, model, seq, created_at, updated_at) VALUES
      ('m1', 'c1', NULL, 'user', 'Tell me about the walrus', 'complete', NULL, NULL, 1, 100, 100),
      ('m2', 'c1', 'm1', 'assistant', 'Walruses have tusks.', 'complete', NULL, 'stories260K.gguf', 2, 110, 120),
      ('m3', 'c1', 'm2', 'user', 'And their diet?', 'complete', NULL, NULL, 3, 300, 300),
      ('m4', 'c1', 'm3', 'assistant', 'Clams, mostly', 'interrupted', NULL, 'stories260K.gguf', 4, 310, 400),
      ('p1', 'c2', NULL, 'user', 'A poem about a lighthouse', 'complete', NULL, NULL, 1, 50, 50),
      ('p2', 'c2', 'p1', 'assistant', 'The keeper climbs', 'error', 'The model stopped.', 'stories260K.gguf', 2, 55, 60);
  `)
}

const messageRows = (db: Database.Database) => db.prepare('SELECT * FROM messages ORDER BY conversation_id, seq').all()

describe('migrations', () => {
  it('002 adds the job ledger and leaves the chats as they were', () => {
    const db = databaseAt(1)
    insertOldChat(db)
    const before = messageRows(db)
    migrateTo(db, 2)
    expect(messageRows(db)).toEqual(before)

    const jobs = new JobsRepository(db)
    const job = {
      network: 'aipg' as const,
      jobId: 'j1',
      model: 'llama',
      promptTokens: 10,
      completionTokens: 20,
      durationMs: 1000,
      tokensPerSecond: 20,
      reward: null,
      state: 'ok' as const,
      error: null,
      startedAt: 1_000,
      finishedAt: 2_000,
    }
    jobs.record(job)
    // The reward arrives later for the same job: one row, updated.
    jobs.record({ ...job, reward: 1.5 })
    expect(jobs.list()).toEqual([{ ...job, reward: 1.5 }])
    expect(jobs.totals()).toEqual({ jobs: 1, completionTokens: 20, rewards: 1.5 })
    expect(() => jobs.record({ ...job, jobId: 'j2', network: 'elsewhere' as 'aipg' })).toThrow(/CHECK/)
  })

  it('003 adds settings and keeps the job ledger', () => {
    const db = databaseAt(2)
    new JobsRepository(db).record({
      network: 'horde',
      jobId: 'h1',
      model: 'koboldcpp/x',
      promptTokens: 1,
      completionTokens: 2,
      durationMs: 3,
      tokensPerSecond: 4,
      reward: 5,
      state: 'ok',
      error: null,
      startedAt: 6,
      finishedAt: 7,
    })
    migrateTo(db, 3)
    expect(new JobsRepository(db).list().map((job) => job.jobId)).toEqual(['h1'])

    const settings = new SettingsRepository(db, () => 42)
    const schema = z.object({ slots: z.number() })
    expect(settings.get('earn', schema, { slots: 1 })).toEqual({ slots: 1 })
    settings.set('earn', { slots: 3 })
    expect(settings.get('earn', schema, { slots: 1 })).toEqual({ slots: 3 })
    settings.set('earn', { slots: 'many' })
    expect(settings.get('earn', schema, { slots: 1 })).toEqual({ slots: 1 })
  })

  it('004 adds registered models and the download queue, keeping settings', () => {
    const db = databaseAt(3)
    new SettingsRepository(db).set('onboarding', { done: true })
    migrateTo(db, 4)
    expect(new SettingsRepository(db).get('onboarding', z.object({ done: z.boolean() }), { done: false })).toEqual({ done: true })

    const models = new ModelsRepository(db, () => 5)
    const added = models.addModel({
      path: '/models/a.gguf',
      fileName: 'a.gguf',
      sizeBytes: 1234,
      sha256: null,
      source: null,
      catalogId: null,
      owned: false,
      metadata: null,
    })
    expect(models.listModels()).toEqual([added])
    // Registering the same file again finds the first registration (the path is unique).
    expect(
      models.addModel({
        path: '/models/a.gguf',
        fileName: 'a.gguf',
        sizeBytes: 1,
        sha256: null,
        source: null,
        catalogId: null,
        owned: false,
        metadata: null,
      }),
    ).toEqual(added)
    expect(() =>
      db
        .prepare("INSERT INTO models (id, path, file_name, size_bytes, owned, added_at) VALUES ('b', '/models/a.gguf', 'a.gguf', 1, 0, 1)")
        .run(),
    ).toThrow(/UNIQUE/)
    models.addDownload({ id: 'd1', source: 'hf:x/y', catalogId: null, fileName: 'y.gguf', expectedSha256: null })
    expect(models.listDownloads()).toMatchObject([{ id: 'd1', state: 'queued', receivedBytes: 0 }])
  })

  it('005 makes every old message the selected version, indexes old chats for search, and keeps the index in sync', () => {
    const db = databaseAt(4)
    insertOldChat(db)
    migrateTo(db, 5)

    const rows = db
      .prepare<[], { id: string; parent_id: string | null; seq: number; selected_at: number; content: string }>(
        "SELECT id, parent_id, seq, selected_at, content FROM messages WHERE conversation_id = 'c1' ORDER BY seq",
      )
      .all()
    expect(rows.map((row) => row.selected_at)).toEqual(rows.map((row) => row.seq))
    const path = activePath(rows.map((row) => ({ id: row.id, parentId: row.parent_id, seq: row.seq, selectedAt: row.selected_at })))
    expect(path.messages.map((message) => message.id)).toEqual(['m1', 'm2', 'm3', 'm4'])
    expect(path.versions).toEqual({})
    expect(db.prepare('SELECT settings, deleted_at FROM conversations').all()).toEqual([
      { settings: null, deleted_at: null },
      { settings: null, deleted_at: null },
    ])

    const search = (query: string) =>
      db
        .prepare<[string], { conversation_id: string; message_id: string | null }>(
          'SELECT conversation_id, message_id FROM messages_fts WHERE messages_fts MATCH ? ORDER BY message_id IS NULL, message_id',
        )
        .all(query)
    // Old message text and old titles are found (diacritics folded as the app's tokenizer does).
    expect(search('walrus')).toEqual([
      { conversation_id: 'c1', message_id: 'm1' },
      { conversation_id: 'c1', message_id: null },
    ])
    expect(search('keeper')).toEqual([{ conversation_id: 'c2', message_id: 'p2' }])
    // The triggers keep it current for what is written after the migration.
    db.prepare("UPDATE messages SET content = 'Clams and snails' WHERE id = 'm4'").run()
    expect(search('snails')).toEqual([{ conversation_id: 'c1', message_id: 'm4' }])
    expect(search('mostly')).toEqual([])
    db.prepare("UPDATE conversations SET title = 'Tusks' WHERE id = 'c1'").run()
    expect(search('tusks')).toEqual([
      { conversation_id: 'c1', message_id: 'm2' },
      { conversation_id: 'c1', message_id: null },
    ])
    db.prepare("DELETE FROM messages WHERE id = 'p2'").run()
    expect(search('keeper')).toEqual([])
  })

  it('006 starts every old reply without the "left out of the context" note', () => {
    const db = databaseAt(5)
    insertOldChat(db)
    migrateTo(db, 6)
    expect(db.prepare('SELECT DISTINCT context_shifted FROM messages').pluck().all()).toEqual([0])
    expect(db.prepare("SELECT content, state, error FROM messages WHERE id = 'p2'").get()).toEqual({
      content: 'The keeper climbs',
      state: 'error',
      error: 'The model stopped.',
    })
  })

  it('007 turns each reply’s label into its backend and model, and the label the user sees stays the same', () => {
    const db = databaseAt(6)
    insertOldChat(db)
    db.exec(`
      INSERT INTO conversations (id, title, created_at, updated_at, settings) VALUES
        ('g', 'Grid chat', 500, 900, NULL),
        ('x', 'From ChatGPT', 10, 20, NULL);
      INSERT INTO messages (id, conversation_id, parent_id, role, content, state, model, seq, selected_at, created_at, updated_at, context_shifted) VALUES
        ('g1', 'g', NULL, 'user', 'Hello grid', 'complete', NULL, 1, 1, 500, 500, 0),
        ('g2', 'g', 'g1', 'assistant', 'Hi from a local model', 'complete', 'stories260K.gguf', 2, 2, 510, 510, 0),
        ('g3', 'g', 'g1', 'assistant', 'Hi from AIPG', 'complete', 'AIPG grid · auto', 3, 3, 600, 600, 1),
        ('g4', 'g', 'g3', 'user', 'Again', 'complete', NULL, 4, 4, 700, 700, 0),
        ('g5', 'g', 'g4', 'assistant', 'Hi from the Horde', 'stopped', 'AI Horde · koboldcpp/Llama-3.2-1B-Instruct', 5, 5, 800, 800, 0),
        ('g6', 'g', 'g4', 'assistant', 'A model named like a grid', 'complete', 'AI Horde notes.gguf', 6, 0, 850, 850, 0),
        ('g7', 'g', 'g4', 'assistant', 'Separator inside', 'complete', 'AIPG grid · org/model · v2', 7, 0, 860, 860, 0),
        ('x1', 'x', NULL, 'user', 'Question', 'complete', NULL, 1, 1, 10, 10, 0),
        ('x2', 'x', 'x1', 'assistant', 'Answer from elsewhere', 'complete', NULL, 2, 2, 20, 20, 0);
    `)
    const oldLabels = new Map(
      db
        .prepare<[], { id: string; model: string | null }>('SELECT id, model FROM messages')
        .all()
        .map((row) => [row.id, row.model]),
    )
    migrateTo(db, 7)

    expect(
      db.prepare('SELECT id, backend, model, grid_origin, reasoning FROM messages WHERE conversation_id = ? ORDER BY seq').all('g'),
    ).toEqual([
      { id: 'g1', backend: null, model: null, grid_origin: null, reasoning: null },
      { id: 'g2', backend: 'local', model: 'stories260K.gguf', grid_origin: null, reasoning: null },
      { id: 'g3', backend: 'aipg', model: 'auto', grid_origin: null, reasoning: null },
      { id: 'g4', backend: null, model: null, grid_origin: null, reasoning: null },
      { id: 'g5', backend: 'horde', model: 'koboldcpp/Llama-3.2-1B-Instruct', grid_origin: null, reasoning: null },
      { id: 'g6', backend: 'local', model: 'AI Horde notes.gguf', grid_origin: null, reasoning: null },
      { id: 'g7', backend: 'aipg', model: 'org/model · v2', grid_origin: null, reasoning: null },
    ])

    // The app reads them with today's schema.
    migrateTo(db, migrations.length)
    const repo = new ChatRepository(db)
    const all = [...repo.listAllMessages('c1'), ...repo.listAllMessages('g'), ...repo.listAllMessages('x')]
    for (const message of all) {
      if (message.role === 'assistant') expect(replyLabel(message), message.id).toBe(oldLabels.get(message.id))
      else expect(message.backend, message.id).toBeUndefined()
    }
    // An imported reply was not written here: no backend, the plain "Assistant" label, follow-ups on the local model.
    expect(repo.getMessage('x2')).toMatchObject({ model: null, content: 'Answer from elsewhere' })
    expect(repo.getMessage('x2')?.backend).toBeUndefined()
    expect(backendOf(repo.getMessage('x2')!)).toEqual({ kind: 'local' })

    // Routing and the grid notice read the data.
    expect(backendOf(repo.getMessage('g3')!)).toEqual({ kind: 'grid', network: 'aipg', model: 'auto' })
    expect(backendOf(repo.getMessage('g5')!)).toEqual({ kind: 'grid', network: 'horde', model: 'koboldcpp/Llama-3.2-1B-Instruct' })
    expect(backendOf(repo.getMessage('g6')!)).toEqual({ kind: 'local' })
    expect(wentToGrid(repo.activePath('g').messages)).toBe(true)
    expect(wentToGrid(repo.activePath('c1').messages)).toBe(false)
    expect(wentToGrid([repo.getMessage('g6')!])).toBe(false)

    // Nothing else about the messages moved: text, states, the note, versions and search.
    expect(repo.getMessage('g3')).toMatchObject({ content: 'Hi from AIPG', state: 'complete', contextShifted: true })
    expect(repo.getMessage('g5')).toMatchObject({ content: 'Hi from the Horde', state: 'stopped' })
    expect(repo.activePath('g').messages.map((message) => message.id)).toEqual(['g1', 'g3', 'g4', 'g5'])
    expect(repo.activePath('g').versions).toEqual({ g3: ['g2', 'g3'], g5: ['g5', 'g6', 'g7'] })
    expect(repo.search('horde').map((hit) => hit.messageId)).toEqual(['g5'])
    expect(() => db.prepare("UPDATE messages SET backend = 'cloud' WHERE id = 'g2'").run()).toThrow(/CHECK/)
  })

  it('008 leaves old replies without a stats line and keeps a new reply’s speed and ending', () => {
    const db = databaseAt(7)
    insertOldChat(db)
    migrateTo(db, 8)
    const repo = new ChatRepository(db)
    const replies = repo.listAllMessages('c1').filter((message) => message.role === 'assistant')
    expect(replies.length).toBeGreaterThan(0)
    for (const reply of replies) expect(reply.stats, reply.id).toBeUndefined()
    repo.saveStats(replies[0]!.id, { tokens: 96, durationMs: 8000, finishReason: 'length' })
    expect(repo.getMessage(replies[0]!.id)?.stats).toEqual({ tokens: 96, durationMs: 8000, finishReason: 'length' })
  })

  it('take a schema-1 database all the way to today, showing the user the same chats', () => {
    const db = databaseAt(1)
    insertOldChat(db)
    migrateTo(db, migrations.length)
    const repo = new ChatRepository(db)
    expect(repo.listConversations().map((conversation) => conversation.title)).toEqual(['Walrus facts', 'Lighthouse poem'])
    const walrus = repo.activePath('c1').messages
    expect(walrus.map((message) => [message.role, message.content, message.state])).toEqual([
      ['user', 'Tell me about the walrus', 'complete'],
      ['assistant', 'Walruses have tusks.', 'complete'],
      ['user', 'And their diet?', 'complete'],
      ['assistant', 'Clams, mostly', 'interrupted'],
    ])
    expect(walrus.filter((message) => message.role === 'assistant').map((message) => [message.backend, replyLabel(message)])).toEqual([
      ['local', 'stories260K.gguf'],
      ['local', 'stories260K.gguf'],
    ])
    expect(repo.getSettings('c1')).toEqual(DEFAULT_CONVERSATION_SETTINGS)
    expect(repo.search('tusks').map((hit) => [hit.conversationId, hit.messageId])).toEqual([['c1', 'm2']])
    expect(repo.getMessage('p2')).toMatchObject({ state: 'error', error: 'The model stopped.' })
  })
})
