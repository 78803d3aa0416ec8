import { afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { migrations } from '../../src/main/store/migrations/index.js'
import { migrate, openDatabase } from '../../src/main/store/database.js'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { tempDataDir } from '../support/paths.js'

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))
function dbFile(): string {
  const temp = tempDataDir()
  cleanups.push(temp.cleanup)
  return join(temp.dir, 'gridforge.db')
}

describe('migrations', () => {
  it('are numbered 1..n without gaps, so they can only be appended', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1))
  })

  it('001 creates conversations and messages, in WAL mode with foreign keys on', () => {
    const db = openDatabase(dbFile())
    cleanups.push(() => db.close())
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()
    expect(tables).toEqual(expect.arrayContaining(['conversations', 'messages']))
  })

  it('runs each migration once, also across restarts', () => {
    const file = dbFile()
    openDatabase(file).close()
    const db = openDatabase(file)
    cleanups.push(() => db.close())
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
  })

  it('refuses a database written by a newer version instead of damaging it', () => {
    const file = dbFile()
    const newer = new Database(file)
    newer.pragma('user_version = 999')
    newer.close()
    expect(() => openDatabase(file)).toThrow(/newer GridForge/)
  })

  it('rolls back a failing migration as a whole', () => {
    const db = new Database(':memory:')
    cleanups.push(() => db.close())
    const broken = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: 'broken',
        up: (d: Database.Database) => d.exec('CREATE TABLE half (x); SELECT * FROM missing_table;'),
      },
    ]
    expect(() => migrate(db, broken)).toThrow()
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined()
  })
})

describe('the chat repository', () => {
  it('keeps conversations in order of last activity and messages in order', () => {
    let now = 1000
    const db = openDatabase(dbFile())
    cleanups.push(() => db.close())
    const repo = new ChatRepository(db, () => now++)
    const first = repo.createConversation('First')
    const second = repo.createConversation('Second')
    const hi = repo.appendMessage({ conversationId: first.id, parentId: null, role: 'user', content: 'Hi', state: 'complete', model: null })
    expect(repo.listConversations().map((c) => c.title)).toEqual(['First', 'Second'])
    const reply = repo.appendMessage({
      conversationId: first.id,
      parentId: hi.id,
      role: 'assistant',
      content: '',
      state: 'streaming',
      model: 'm.gguf',
    })
    repo.saveContent(reply.id, 'Hello th', 'streaming')
    expect(repo.listAllMessages(first.id).map((m) => [m.role, m.content, m.state])).toEqual([
      ['user', 'Hi', 'complete'],
      ['assistant', 'Hello th', 'streaming'],
    ])
    expect(repo.softDelete(second.id)).toBe(true)
    expect(repo.getConversation(second.id)).toBeNull()
  })

  it('marks replies left streaming by a killed app as interrupted, keeping their text', () => {
    const file = dbFile()
    const db = openDatabase(file)
    const repo = new ChatRepository(db)
    const conversation = repo.createConversation('Story')
    const reply = repo.appendMessage({
      conversationId: conversation.id,
      parentId: null,
      role: 'assistant',
      content: '',
      state: 'streaming',
      model: null,
    })
    repo.saveContent(reply.id, 'Once upon', 'streaming')
    db.close()
    const reopened = new ChatRepository(openDatabase(file))
    expect(reopened.markStreamingInterrupted()).toBe(1)
    expect(reopened.getMessage(reply.id)).toMatchObject({ content: 'Once upon', state: 'interrupted' })
  })

  it('purges a deleted conversation together with its messages', () => {
    const db = openDatabase(dbFile())
    cleanups.push(() => db.close())
    const repo = new ChatRepository(db)
    const conversation = repo.createConversation('Gone')
    const message = repo.appendMessage({
      conversationId: conversation.id,
      parentId: null,
      role: 'user',
      content: 'x',
      state: 'complete',
      model: null,
    })
    repo.softDelete(conversation.id)
    expect(repo.getMessage(message.id)).not.toBeNull()
    expect(repo.purgeDeleted(Date.now())).toBe(1)
    expect(repo.getMessage(message.id)).toBeNull()
  })
})

describe('migration 006', () => {
  it('remembers that a reply was written without the oldest messages; other replies say nothing', () => {
    const db = openDatabase(dbFile())
    cleanups.push(() => db.close())
    const repo = new ChatRepository(db)
    const conversation = repo.createConversation('Long')
    const question = repo.appendMessage({
      conversationId: conversation.id,
      parentId: null,
      role: 'user',
      content: 'Hi',
      state: 'complete',
      model: null,
    })
    const reply = repo.appendMessage({
      conversationId: conversation.id,
      parentId: question.id,
      role: 'assistant',
      content: 'Hello',
      state: 'complete',
      model: 'm.gguf',
    })
    repo.markContextShifted(reply.id)
    expect(repo.getMessage(reply.id)?.contextShifted).toBe(true)
    expect(repo.getMessage(question.id)).not.toHaveProperty('contextShifted')
  })
})
