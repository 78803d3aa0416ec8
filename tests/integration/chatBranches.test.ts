import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/main/store/database.js'
import { migrations } from '../../src/main/store/migrations/index.js'
import type { Conversation, ConversationSummary, Message } from '../../src/shared/domain.js'
import { MAX_IMPORT_PIECE_CHARS } from '../../src/shared/limits.js'
import { useTestHost } from './hostHarness.js'
import { repoRoot, tempDataDir } from '../support/paths.js'

const { temp, host, call, finished } = useTestHost()

const lowTemperature = { temperature: 0.8, topP: 0.95, topK: 40, minP: 0.05, repeatPenalty: 1.1, maxTokens: 24 }

describe('versions and branches', () => {
  let conversationId = ''
  let firstReply: Message

  it('regenerating keeps the earlier reply as a version, and either can be shown', async () => {
    const sent = await call<{ conversation: ConversationSummary; assistantMessage: Message }>('chat.send', {
      conversationId: null,
      text: 'Once upon a time there was a dragon',
      settings: { sampling: lowTemperature, preset: 'custom' },
    })
    conversationId = sent.conversation.id
    firstReply = await finished(sent.assistantMessage.id)
    expect(firstReply.state).toBe('complete')

    const regenerated = await call<Conversation>('chat.regenerate', { messageId: firstReply.id })
    const second = regenerated.messages.at(-1)!
    expect(second.id).not.toBe(firstReply.id)
    expect(regenerated.versions?.[second.id]).toEqual([firstReply.id, second.id])
    await finished(second.id)

    const back = await call<Conversation>('chat.select', { messageId: firstReply.id })
    expect(back.messages.map((m) => m.id)).toEqual([back.messages[0]!.id, firstReply.id])
    expect(back.messages.at(-1)!.content).toBe(firstReply.content)
    // The choice is stored: opening the conversation again shows the same version.
    const reopened = await call<Conversation>('chat.get', { conversationId })
    expect(reopened.messages.at(-1)!.id).toBe(firstReply.id)
  })

  it('editing a message starts a new branch; the old one stays and the history sent is the new path only', async () => {
    const before = await call<Conversation>('chat.get', { conversationId })
    const original = before.messages[0]!
    const edited = await call<Conversation>('chat.edit', { messageId: original.id, text: 'Once upon a time there was a cat' })
    expect(edited.messages).toHaveLength(2)
    expect(edited.messages[0]!.content).toBe('Once upon a time there was a cat')
    expect(edited.versions?.[edited.messages[0]!.id]).toEqual([original.id, edited.messages[0]!.id])
    const reply = await finished(edited.messages[1]!.id)
    expect(reply.state).toBe('complete')

    const old = await call<Conversation>('chat.select', { messageId: original.id })
    expect(old.messages.map((m) => m.content)).toEqual(['Once upon a time there was a dragon', firstReply.content])
    expect(old.versions?.[firstReply.id]).toHaveLength(2)
  })

  it('deleting a message keeps what followed it', async () => {
    const path = await call<Conversation>('chat.get', { conversationId })
    const follow = await call<{ assistantMessage: Message }>('chat.send', { conversationId, text: 'And then?' })
    await finished(follow.assistantMessage.id)
    const after = await call<Conversation>('chat.deleteMessage', { messageId: path.messages[1]!.id })
    expect(after.messages.map((m) => m.content).slice(0, 2)).toEqual(['Once upon a time there was a dragon', 'And then?'])
  })

  it('system prompt and sampling are stored per conversation', async () => {
    const current = await call<Conversation>('chat.get', { conversationId })
    const settings = { ...current.settings!, systemPrompt: 'You tell short stories.', preset: 'precise' as const }
    const updated = await call<Conversation>('chat.updateSettings', { conversationId, settings })
    expect(updated.settings).toMatchObject({ systemPrompt: 'You tell short stories.', preset: 'precise', modelPath: temp.model })
    const bad = await host().dispatch('chat.updateSettings', { conversationId, settings: { ...settings, temperature: 9 } })
    expect(bad.ok).toBe(false)
  })
})

describe('conversations', () => {
  it('rename, search with snippets, and delete with undo', async () => {
    const sent = await call<{ conversation: ConversationSummary; assistantMessage: Message }>('chat.send', {
      conversationId: null,
      text: 'Tell me about the zebrafish aquarium',
    })
    await finished(sent.assistantMessage.id)
    const id = sent.conversation.id
    expect(sent.conversation.title).toBe('Tell me about the zebrafish aquarium')
    await call('chat.rename', { conversationId: id, title: 'Fish notes' })
    expect((await call<ConversationSummary[]>('chat.list', {}))[0]).toMatchObject({ id, title: 'Fish notes' })

    const hits = await call<Array<{ conversationId: string; messageId: string | null; snippet: Array<{ text: string; hit: boolean }> }>>(
      'chat.search',
      { query: 'zebrafi' },
    )
    expect(hits[0]).toMatchObject({ conversationId: id })
    expect(hits[0]!.snippet.find((part) => part.hit)?.text.toLowerCase()).toBe('zebrafish')
    expect((await call<unknown[]>('chat.search', { query: 'fish notes' }))[0]).toMatchObject({ conversationId: id, messageId: null })
    // Typed FTS syntax is searched as words, never an error.
    for (const query of ['"', 'AND OR NOT', 'zebra*fish(', 'title:x', '-', '']) {
      expect((await host().dispatch('chat.search', { query })).ok).toBe(true)
    }

    await call('chat.delete', { conversationId: id })
    expect((await call<ConversationSummary[]>('chat.list', {})).some((c) => c.id === id)).toBe(false)
    expect(await call<unknown[]>('chat.search', { query: 'zebrafish' })).toEqual([])
    await call('chat.restore', { conversationId: id })
    expect((await call<ConversationSummary[]>('chat.list', {})).some((c) => c.id === id)).toBe(true)
    expect((await call<unknown[]>('chat.search', { query: 'zebrafish' })).length).toBeGreaterThan(0)
  })
})

describe('export and import', () => {
  async function importText(text: string): Promise<ConversationSummary[]> {
    let imported: ConversationSummary[] | null = null
    const pieces = Math.max(1, Math.ceil(text.length / MAX_IMPORT_PIECE_CHARS))
    for (let index = 0; index < pieces; index++) {
      const piece = text.slice(index * MAX_IMPORT_PIECE_CHARS, (index + 1) * MAX_IMPORT_PIECE_CHARS)
      imported = (
        await call<{ imported: ConversationSummary[] | null }>('chat.import', {
          uploadId: 'u1',
          index,
          text: piece,
          last: index === pieces - 1,
        })
      ).imported
    }
    return imported!
  }

  it('a JSON export re-imports with every branch, version choice and setting', async () => {
    const list = await call<ConversationSummary[]>('chat.list', {})
    const file = await call<{ fileName: string; text: string }>('chat.export', { conversationId: null, format: 'json' })
    expect(file.fileName).toMatch(/\.json$/)
    const imported = await importText(file.text)
    expect(imported).toHaveLength(list.length)
    for (const [index, original] of list.entries()) {
      const before = await call<Conversation>('chat.get', { conversationId: original.id })
      const after = await call<Conversation>('chat.get', { conversationId: imported[index]!.id })
      expect(after.title).toBe(before.title)
      expect(after.settings).toEqual(before.settings)
      expect(after.messages.map((m) => [m.role, m.content, m.state])).toEqual(before.messages.map((m) => [m.role, m.content, m.state]))
      expect(Object.values(after.versions ?? {}).map((v) => v.length)).toEqual(Object.values(before.versions ?? {}).map((v) => v.length))
    }
  })

  it('a large file arrives in pieces, each within the request limit', async () => {
    const big = JSON.stringify({
      format: 'gridforge-chat',
      version: 1,
      exportedAt: 1,
      conversations: [
        {
          id: 'c',
          title: 'Big',
          createdAt: 1,
          updatedAt: 2,
          settings: { systemPrompt: '', preset: 'balanced', sampling: lowTemperature, contextSize: null, modelPath: null },
          messages: [
            {
              id: 'm',
              parentId: null,
              role: 'user',
              content: 'é'.repeat(400_000),
              state: 'complete',
              error: null,
              model: null,
              selectedAt: 1,
              createdAt: 1,
              updatedAt: 1,
            },
          ],
        },
      ],
    })
    const [conversation] = await importText(big)
    expect((await call<Conversation>('chat.get', { conversationId: conversation!.id })).messages[0]!.content).toHaveLength(400_000)
  })

  it('Markdown export holds the active path', async () => {
    const [first] = await call<ConversationSummary[]>('chat.list', {})
    const conversation = await call<Conversation>('chat.get', { conversationId: first!.id })
    const file = await call<{ text: string }>('chat.export', { conversationId: first!.id, format: 'markdown' })
    expect(file.text.startsWith(`# ${conversation.title}`)).toBe(true)
    for (const message of conversation.messages) expect(file.text).toContain(message.content)
  })

  it('a ChatGPT conversations.json becomes conversations with branches, on the branch ChatGPT showed', async () => {
    const text = readFileSync(join(repoRoot, 'tests/fixtures/chat/chatgpt-conversations.json'), 'utf8')
    const imported = await importText(text)
    expect(imported.map((c) => c.title)).toEqual(['Lighthouse poem', 'Tool use'])
    const poem = await call<Conversation>('chat.get', { conversationId: imported[0]!.id })
    expect(poem.messages.map((m) => m.content)).toEqual(['Write a poem about a lighthouse', 'A beacon turns above the foam'])
    expect(poem.versions?.[poem.messages[1]!.id]).toHaveLength(2)
    const tools = await call<Conversation>('chat.get', { conversationId: imported[1]!.id })
    expect(tools.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'What is the weather in Oslo?'],
      ['assistant', 'It is 3 degrees in Oslo.'],
    ])
  })

  it('a file that is not an export is refused in one sentence', async () => {
    const result = await host().dispatch('chat.import', { uploadId: 'bad', index: 0, text: '{"hello": 1}', last: true })
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/neither a GridForge/) } })
  })
})

describe('an older database', () => {
  it('is backed up before it is migrated, and its chats survive with search', () => {
    const dir = tempDataDir()
    try {
      const file = join(dir.dir, 'old.db')
      const old = openDatabase(file, migrations.slice(0, 4))
      old.prepare("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c1', 'Old chat', 1, 1)").run()
      old
        .prepare(
          "INSERT INTO messages (id, conversation_id, parent_id, role, content, state, seq, created_at, updated_at) VALUES ('m1', 'c1', NULL, 'user', 'remember the walrus', 'complete', 1, 1, 1)",
        )
        .run()
      old.close()

      const db = openDatabase(file)
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
      const backups = readdirSync(dir.dir).filter((name) => name.startsWith('old.db.backup-v4-'))
      expect(backups).toHaveLength(1)
      const backup = new Database(join(dir.dir, backups[0]!), { readonly: true })
      expect(backup.pragma('user_version', { simple: true })).toBe(4)
      expect(backup.prepare('SELECT content FROM messages').pluck().get()).toBe('remember the walrus')
      backup.close()
      expect(db.prepare("SELECT message_id FROM messages_fts WHERE messages_fts MATCH 'walrus'").pluck().all()).toEqual(['m1'])
      db.close()

      openDatabase(file).close()
      expect(readdirSync(dir.dir).filter((name) => name.includes('.backup-'))).toHaveLength(1)
    } finally {
      dir.cleanup()
    }
  })
})
