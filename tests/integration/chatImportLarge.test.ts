import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ExportedConversation } from '../../src/main/chat/transfer/exportFormat.js'
import { IMPORT_CANCELLED, storeImport } from '../../src/main/chat/transfer/importChats.js'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import { DEFAULT_CONVERSATION_SETTINGS } from '../../src/shared/chatSettings.js'

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

/** One long conversation: a chain of `count` messages, user and assistant in turn. */
function longConversation(count: number): ExportedConversation {
  return {
    id: 'long',
    title: 'A long chat',
    createdAt: 1,
    updatedAt: 2,
    settings: DEFAULT_CONVERSATION_SETTINGS,
    messages: Array.from({ length: count }, (_, i) => ({
      id: `m${i}`,
      parentId: i === 0 ? null : `m${i - 1}`,
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content: `message number ${i}`,
      state: 'complete' as const,
      error: null,
      model: null,
      selectedAt: i + 1,
      createdAt: i,
      updatedAt: i,
    })),
  }
}

describe('importing a long conversation', () => {
  it('stores it in batches that let the event loop run, with progress, and shows it only when complete', async () => {
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
      sliceMs: 0,
      onProgress: (stored, total) => {
        progress.push([stored, total])
        visibleWhileImporting.push(repo.listConversations().length)
      },
    })
    spinning = false
    expect(turns).toBeGreaterThan(4)
    expect(progress.at(-1)).toEqual([10_000, 10_000])
    expect(progress.length).toBeGreaterThan(1)
    expect(visibleWhileImporting.every((count) => count === 0)).toBe(true)
    expect(repo.listConversations().map((c) => c.id)).toEqual([imported!.id])
    const path = repo.activePath(imported!.id).messages
    expect(path).toHaveLength(10_000)
    expect(path.at(-1)).toMatchObject({ content: 'message number 9999', role: 'assistant' })
  })

  it('leaves nothing behind when it fails halfway', async () => {
    let batches = 0
    const failing = Object.create(repo) as ChatRepository
    failing.appendMessages = (...args) => {
      if (++batches === 3) throw new Error('the disk went away')
      return repo.appendMessages(...args)
    }
    await expect(storeImport(failing, [longConversation(50), longConversation(10_000)], { batch: 2_000 })).rejects.toThrow(/disk went away/)
    expect(repo.listConversations()).toEqual([])
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 0 })
    expect(db.prepare('SELECT COUNT(*) AS n FROM conversations').get()).toEqual({ n: 0 })
  })

  it('cancelled halfway, keeps nothing and says so', async () => {
    const cancel = new AbortController()
    const seen: number[] = []
    const importing = storeImport(repo, [longConversation(20), longConversation(3_000)], {
      sliceMs: 0,
      batch: 500,
      signal: cancel.signal,
      onProgress: (stored) => {
        seen.push(stored)
        if (stored >= 1_020) cancel.abort()
      },
    })
    await expect(importing).rejects.toThrow(IMPORT_CANCELLED)
    expect(seen.at(-1)).toBe(1_020)
    expect(repo.listConversations()).toEqual([])
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 0 })
    expect(db.prepare('SELECT COUNT(*) AS n FROM conversations').get()).toEqual({ n: 0 })
  })

  it('puts a conversation imported in several slices in the same order as one imported at once', async () => {
    const [sliced] = await storeImport(repo, [longConversation(1_200)], { sliceMs: 0, batch: 100 })
    const [whole] = await storeImport(repo, [longConversation(1_200)], { batch: 5_000 })
    const order = (id: string) => repo.listAllMessages(id).map((m) => [m.content, m.seq, m.selectedAt])
    expect(order(sliced!.id)).toEqual(order(whole!.id))
    expect(repo.activePath(sliced!.id).messages).toHaveLength(1_200)
  })
})
