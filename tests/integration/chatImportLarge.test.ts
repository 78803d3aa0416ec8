import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ChatService } from '../../src/main/chat/chatService.js'
import type { Engine } from '../../src/main/engine/engine.js'
import { ChatTransfer } from '../../src/main/chat/transfer/chatTransfer.js'
import { IMPORT_CANCELLED, parseImport, storeImport } from '../../src/main/chat/transfer/importChats.js'
import { importOnThread, unshareable } from '../../src/main/chat/transfer/importOnThread.js'
import { DEFAULT_CONVERSATION_SETTINGS } from '../../src/shared/chatSettings.js'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import { asStorageError, DISK_FULL_SENTENCE, onDiskFull } from '../../src/main/store/storageErrors.js'
import { repoRoot } from '../support/paths.js'
import { longConversation } from '../support/longConversation.js'

let dir: string
let db: Database.Database
let repo: ChatRepository
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridforge-import-'))
  db = openDatabase(join(dir, 'gridforge.db'))
  repo = new ChatRepository(db)
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const count = (sql: string, ...params: unknown[]) =>
  (db
    .prepare(sql)
    .pluck()
    .get(...params) as number) ?? 0

/** No conversation, message or search-index row is left. */
function expectNothingStored(): void {
  for (const table of ['conversations', 'messages', 'messages_fts']) expect(count(`SELECT COUNT(*) FROM ${table}`), table).toBe(0)
}

/** Messages against their search index: every message indexed once, nothing indexed that is not a message. */
function searchIndexMatches(database: Database.Database): { messages: number; indexed: number } {
  const messages = database.prepare('SELECT COUNT(*) FROM messages').pluck().get() as number
  const indexed = database
    .prepare('SELECT COUNT(*) FROM messages_fts f JOIN messages m ON f.rowid = m.rowid * 2 AND f.message_id = m.id')
    .pluck()
    .get() as number
  const messageEntries = database.prepare('SELECT COUNT(*) FROM messages_fts WHERE message_id IS NOT NULL').pluck().get() as number
  expect(messageEntries).toBe(indexed)
  database.exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")
  return { messages, indexed }
}

describe('importing a long conversation', () => {
  it('stores it in slices that let the event loop run, with progress, and shows it only when complete', async () => {
    let turns = 0
    let spinning = true
    const spin = () => {
      if (!spinning) return
      turns++
      setImmediate(spin)
    }
    spin()
    const progress: Array<[number, number]> = []
    const visibleWhileImporting: number[] = []
    const [imported] = await storeImport(repo, [longConversation(10_000)], {
      sliceMessages: 1_000,
      onProgress: (stored, total) => {
        progress.push([stored, total])
        visibleWhileImporting.push(repo.listConversations().length + repo.search('word5').length)
      },
    })
    spinning = false
    expect(turns).toBeGreaterThan(4)
    expect(progress.at(-1)).toEqual([10_000, 10_000])
    expect(progress.length).toBeGreaterThan(4)
    expect(visibleWhileImporting.every((seen) => seen === 0)).toBe(true)
    expect(repo.listConversations().map((c) => c.id)).toEqual([imported!.id])
    const path = repo.activePath(imported!.id).messages
    expect(path).toHaveLength(10_000)
    expect(path.at(-1)).toMatchObject({ content: 'message number 9999 word9999', role: 'assistant' })
  })

  it('orders a long conversation a few milliseconds a turn, on the clock, before its first slice', async () => {
    // Until the first slice, a clock that moves 1 ms each time it is read: the ordering's budget runs out
    // after a few looks. Then it stops, and the slices end by their size.
    let now = 0
    let turns = 0
    let turnsBeforeFirstSlice: number | null = null
    const clock = () => (turnsBeforeFirstSlice === null ? now++ : now)
    let spinning = true
    const spin = () => {
      if (!spinning) return
      turns++
      setImmediate(spin)
    }
    spin()
    const [imported] = await storeImport(repo, [longConversation(10_000)], {
      clock,
      sliceMs: 3,
      sliceMessages: 5_000,
      onProgress: () => void (turnsBeforeFirstSlice ??= turns),
    })
    spinning = false
    // 30,000 steps of ordering (index, children, walk) in turns of 3 looks at the clock, 256 steps apart.
    expect(turnsBeforeFirstSlice).toBeGreaterThan(30)
    expect(repo.activePath(imported!.id).messages).toHaveLength(10_000)
  })

  it('makes every imported message findable, from the first slice to the last, and keeps the index in step after edits', async () => {
    const [imported] = await storeImport(repo, [longConversation(3_000)], { sliceMessages: 700 })
    expect(searchIndexMatches(db)).toEqual({ messages: 3_000, indexed: 3_000 })
    for (const i of [0, 699, 700, 1_401, 2_999]) {
      expect(repo.search(`word${i}`).map((hit) => hit.conversationId)).toEqual([imported!.id])
    }
    const [message] = repo.messagesByIds(repo.activePathIds(imported!.id).ids.slice(10, 11))
    repo.saveContent(message!.id, 'rewritten walrus', 'complete')
    expect(repo.search('walrus').map((hit) => hit.messageId)).toEqual([message!.id])
    expect(repo.search('word10').map((hit) => hit.messageId)).not.toContain(message!.id)
    // New messages after an import are indexed by the trigger again.
    const reply = repo.appendMessage({
      conversationId: imported!.id,
      parentId: message!.id,
      role: 'user',
      content: 'a later narwhal',
      state: 'complete',
      model: null,
    })
    expect(repo.search('narwhal').map((hit) => hit.messageId)).toEqual([reply.id])
    expect(count('SELECT COUNT(*) FROM chat_imports')).toBe(0)
  })

  it('shows nothing when the disk fills halfway, and keeps nothing once there is room again', async () => {
    const attempt = storeImport(repo, [longConversation(50), longConversation(10_000)], {
      sliceMessages: 1_000,
      onProgress: (stored) => {
        // SQLite's page limit makes the next write fail with SQLITE_FULL, exactly as a full disk does.
        if (stored >= 2_050) db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`)
      },
    })
    await expect(attempt).rejects.toMatchObject({ code: 'SQLITE_FULL' })
    expect(repo.listConversations()).toEqual([])
    expect(repo.search('word1')).toEqual([])
    // Removing what it stored may itself need room (the search index writes deletions); what could not be
    // removed yet stays hidden and listed as unfinished, and the next start removes it.
    const left = count('SELECT COUNT(*) FROM conversations')
    expect(count('SELECT COUNT(*) FROM chat_imports')).toBe(left)
    db.pragma('max_page_count = 1073741823')
    new ChatService(repo, {} as Engine).recoverFromLastRun()
    expect(count('SELECT COUNT(*) FROM conversations')).toBe(0)
    expect(searchIndexMatches(db)).toEqual({ messages: 0, indexed: 0 })
    expect(count('SELECT COUNT(*) FROM messages_fts')).toBe(0)
  })

  it('cancelled halfway, keeps nothing and says so', async () => {
    const cancel = new AbortController()
    const seen: number[] = []
    const importing = storeImport(repo, [longConversation(20), longConversation(3_000)], {
      sliceMessages: 500,
      sliceMs: 60_000,
      signal: cancel.signal,
      onProgress: (stored) => {
        seen.push(stored)
        if (stored >= 1_020) cancel.abort()
      },
    })
    await expect(importing).rejects.toThrow(IMPORT_CANCELLED)
    expect(seen.at(-1)).toBe(1_020)
    expect(repo.listConversations()).toEqual([])
    expectNothingStored()
  })

  it('puts a conversation imported in several slices in the same order as one imported at once', async () => {
    const [sliced] = await storeImport(repo, [longConversation(1_200)], { sliceMessages: 100 })
    const [whole] = await storeImport(repo, [longConversation(1_200)], { sliceMs: 60_000 })
    const order = (id: string) => repo.listAllMessages(id).map((m) => [m.content, m.seq, m.selectedAt])
    expect(order(sliced!.id)).toEqual(order(whole!.id))
    expect(repo.activePath(sliced!.id).messages).toHaveLength(1_200)
  })

  it.each(['in this thread', 'on the import thread'])(
    'killed with SIGKILL halfway %s (a real process), leaves messages and the index in step, and the next start removes it all',
    async (where) => {
      db.close()
      const file = join(dir, 'gridforge.db')
      const args = [join(repoRoot, 'tests/support/importChild.ts'), file, '20000', where === 'in this thread' ? 'here' : 'thread']
      const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
      let errors = ''
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()))
      const storedWhenKilled = await new Promise<number>((resolve, reject) => {
        let output = ''
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          const stored = [...output.matchAll(/stored (\d+)/g)].map((match) => Number(match[1]))
          if ((stored.at(-1) ?? 0) >= 2_000) {
            child.kill('SIGKILL')
            resolve(stored.at(-1)!)
          }
        })
        child.once('exit', (code) => reject(new Error(`the import ended by itself (${code}): ${errors}`)))
      })
      await new Promise((resolve) => child.once('exit', resolve))
      expect(storedWhenKilled).toBeLessThan(20_000)

      db = openDatabase(file)
      repo = new ChatRepository(db)
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      const { messages, indexed } = searchIndexMatches(db)
      expect(messages).toBeGreaterThanOrEqual(storedWhenKilled)
      expect(indexed).toBe(messages)
      expect(repo.listConversations()).toEqual([])
      expect(repo.search('word1')).toEqual([])

      new ChatService(repo, {} as Engine).recoverFromLastRun()
      expect(count('SELECT COUNT(*) FROM conversations')).toBe(0)
      expect(searchIndexMatches(db)).toEqual({ messages: 0, indexed: 0 })
      expect(count('SELECT COUNT(*) FROM messages_fts')).toBe(0)
    },
    60_000,
  )
})

describe('importing on the import thread (its own connection to the database)', () => {
  const exportText = (...conversations: Array<{ messages: unknown[] }>) =>
    JSON.stringify({ format: 'gridforge-chat', version: 2, exportedAt: 0, conversations })

  it('reads, checks and stores the file there, hidden until complete, while this thread goes on writing', async () => {
    const file = exportText(longConversation(10_000))
    const parse = vi.spyOn(JSON, 'parse')
    const mine = repo.createConversation('Mine', DEFAULT_CONVERSATION_SETTINGS)
    const progress: Array<[number, number]> = []
    const visibleWhileImporting: number[] = []
    let parent: string | null = null
    try {
      const imported = await importOnThread(
        file,
        { db },
        {
          sliceMessages: 500,
          onProgress: (stored, total) => {
            progress.push([stored, total])
            // Once every message is stored the thread unhides them at once, maybe before this message arrives.
            if (stored < total) visibleWhileImporting.push(repo.listConversations().length + repo.search('word5').length)
            // The host's own writes go on meanwhile, through its connection.
            parent = repo.appendMessage({
              conversationId: mine.id,
              parentId: parent,
              role: 'user',
              content: 'meanwhile',
              state: 'complete',
              model: null,
            }).id
          },
        },
      )
      expect(imported).toHaveLength(1)
      expect(parse.mock.calls.some(([text]) => text === file)).toBe(false)
      expect(progress.length).toBeGreaterThan(1)
      expect(progress.at(-1)).toEqual([10_000, 10_000])
      expect(visibleWhileImporting.length).toBeGreaterThan(0)
      expect(visibleWhileImporting.every((seen) => seen === 1)).toBe(true)
      expect(repo.listConversations().map((c) => c.id)).toContain(imported![0]!.id)
      expect(repo.activePath(imported![0]!.id).messages).toHaveLength(10_000)
      expect(repo.search('word9999').map((hit) => hit.conversationId)).toEqual([imported![0]!.id])
      expect(repo.activePath(mine.id).messages).toHaveLength(progress.length)
      expect(searchIndexMatches(db)).toEqual({ messages: 10_000 + progress.length, indexed: 10_000 + progress.length })
    } finally {
      parse.mockRestore()
    }
  })

  it('names the first bad message by its path and keeps nothing from the file', async () => {
    const bad = longConversation(5_000)
    bad.messages[4_321] = { ...bad.messages[4_321]!, role: 'narrator' as 'user' }
    await expect(importOnThread(exportText(longConversation(10), bad), { db })).rejects.toThrow(
      /^That GridForge export cannot be read: conversations\.1\.messages\.4321\.role: /,
    )
    await expect(importOnThread(exportText(), { db })).rejects.toThrow('That file has no conversations in it.')
    expect(count('SELECT COUNT(*) FROM conversations')).toBe(0)
  })

  it('cancelled while it writes, removes what it stored; cancelled while it reads, writes nothing', async () => {
    const cancel = new AbortController()
    const seen: number[] = []
    const writing = importOnThread(
      exportText(longConversation(20), longConversation(5_000)),
      { db },
      {
        sliceMessages: 200,
        signal: cancel.signal,
        onProgress: (stored) => {
          seen.push(stored)
          if (stored >= 1_000) cancel.abort()
        },
      },
    )
    await expect(writing).rejects.toThrow(IMPORT_CANCELLED)
    expect(seen.at(-1)).toBeGreaterThanOrEqual(1_000)
    expect(seen.at(-1)).toBeLessThan(5_020)

    const early = new AbortController()
    const reading = importOnThread(exportText(longConversation(20_000)), { db }, { signal: early.signal })
    early.abort()
    await expect(reading).rejects.toThrow(IMPORT_CANCELLED)
    expectNothingStored()
  })

  it('is not used for a database the thread cannot open beside the host, which imports in its own thread instead', async () => {
    const memory = openDatabase(':memory:')
    expect(unshareable(memory)).toBe('the database is in memory')
    const exclusive = join(dir, 'exclusive.db')
    openDatabase(exclusive).close()
    const locked = openDatabase(exclusive, undefined, { exclusive: true })
    expect(unshareable(locked)).toBe('the database is open in exclusive mode')
    expect(unshareable(db)).toBeNull()
    try {
      for (const database of [memory, locked]) {
        const store = new ChatRepository(database)
        const transfer = new ChatTransfer(
          store,
          new ChatService(store, {} as Engine),
          () => undefined,
          () => undefined,
          { db: database },
        )
        const { imported } = await transfer.importPiece('u', 0, exportText(longConversation(300)), true)
        expect(store.activePath(imported![0]!.id).messages).toHaveLength(300)
      }
    } finally {
      memory.close()
      locked.close()
    }
  })
})

/** A real 16 MB tmpfs (mounting needs root; elsewhere the test is skipped). */
function mountSmallDisk(): string | null {
  if (process.platform !== 'linux') return null
  const mount = mkdtempSync(join(tmpdir(), 'gridforge-import-full-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mount], { stdio: 'ignore' })
    return mount
  } catch {
    rmSync(mount, { recursive: true, force: true })
    return null
  }
}

const smallDisk = mountSmallDisk()

describe.skipIf(!smallDisk)('the import thread on a full disk (a real 16 MB tmpfs)', () => {
  afterAll(() => {
    execFileSync('umount', [smallDisk!])
    rmSync(smallDisk!, { recursive: true, force: true })
  })

  it("fails with SQLite's disk-full code, which the host turns into the disk-full sentence and the banner", async () => {
    const full = openDatabase(join(smallDisk!, 'gridforge.db'))
    const store = new ChatRepository(full)
    try {
      writeFileSync(join(smallDisk!, 'filler'), Buffer.alloc(32 * 1024 * 1024))
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ENOSPC')
    }
    const heard: number[] = []
    const stopHearing = onDiskFull(() => heard.push(1))
    try {
      const text = JSON.stringify({ format: 'gridforge-chat', version: 2, exportedAt: 0, conversations: [longConversation(5_000)] })
      const error = await importOnThread(text, { db: full }).catch((failure: unknown) => failure)
      expect(error).toMatchObject({ code: 'SQLITE_FULL' })
      expect(heard).toEqual([])
      expect(asStorageError(error)).toMatchObject({ code: 'NOT_ENOUGH_SPACE', message: DISK_FULL_SENTENCE })
      expect(heard).toEqual([1])
      expect(store.listConversations()).toEqual([])
    } finally {
      stopHearing()
      full.close()
    }
  })
})

describe('reading a long export', () => {
  const exportOf = (messages: unknown[]) =>
    JSON.stringify({ format: 'gridforge-chat', version: 2, exportedAt: 0, conversations: [{ ...longConversation(0), messages }] })

  it('checks the messages a chunk at a time, letting the host run, and names the message that is wrong', async () => {
    const messages: Array<Record<string, unknown>> = longConversation(20_000).messages
    let turns = 0
    const counting = setInterval(() => turns++, 0)
    const [conversation] = await parseImport(exportOf(messages))
    clearInterval(counting)
    expect(conversation!.messages).toHaveLength(20_000)
    expect(conversation!.messages[12_345]).toEqual(messages[12_345])
    expect(turns).toBeGreaterThan(1)

    messages[17_321] = { ...messages[17_321], role: 'narrator' }
    await expect(parseImport(exportOf(messages))).rejects.toThrow(
      /^That GridForge export cannot be read: conversations\.0\.messages\.17321\.role: /,
    )
  })

  it('parses the file on its own thread, so this one never holds the whole file as one parse', async () => {
    const file = exportOf(longConversation(5_000).messages)
    const parse = vi.spyOn(JSON, 'parse')
    try {
      const [conversation] = await parseImport(file)
      expect(conversation!.messages).toHaveLength(5_000)
      expect(parse.mock.calls.some(([text]) => text === file)).toBe(false)
    } finally {
      parse.mockRestore()
    }
  })

  it('stops reading a file the user cancelled while it is still being parsed', async () => {
    const cancel = new AbortController()
    const reading = parseImport(exportOf(longConversation(20_000).messages), cancel.signal)
    cancel.abort()
    await expect(reading).rejects.toThrow(IMPORT_CANCELLED)
  })

  it('names the wrong conversation of a ChatGPT export by its place in the file', async () => {
    const conversation = (title: unknown) => ({
      title,
      mapping: { a: { id: 'a', message: { author: { role: 'user' }, content: { parts: ['hi'] } } } },
    })
    const [first] = await parseImport(JSON.stringify([conversation('One')]))
    expect(first).toMatchObject({ title: 'One', messages: [{ role: 'user', content: 'hi' }] })
    await expect(parseImport(JSON.stringify([conversation('One'), conversation('Two'), conversation(7)]))).rejects.toThrow(
      /^That looks like a ChatGPT export but 2\.title: /,
    )
  })
})

describe('purging deleted conversations', () => {
  it('removes a deleted conversation whose chain is longer than SQLite recurses (at the next start)', async () => {
    const [imported] = await storeImport(repo, [longConversation(3_000)])
    repo.softDelete(imported!.id)
    expect(repo.purgeDeleted(Date.now() + 1)).toBe(1)
    expect(count('SELECT COUNT(*) FROM messages')).toBe(0)
    expect(count('SELECT COUNT(*) FROM messages_fts')).toBe(0)
  })
})
