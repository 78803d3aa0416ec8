import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import type { Conversation, Message, MessagePage, SendResult } from '../../src/shared/domain.js'
import { useTestHost } from './hostHarness.js'

const { temp, host, call, finished } = useTestHost()

const sampling = { temperature: 0, topP: 0.95, topK: 40, minP: 0.05, repeatPenalty: 1, maxTokens: 16 }
const paragraph = 'Lily and her dog went to the park to play with a big red ball near the old tree. '.repeat(6)

describe('a local conversation longer than the context', () => {
  it('keeps replying, and the replies written without the oldest messages say so, also after reopening', async () => {
    let conversationId: string | null = null
    const replies: Message[] = []
    for (let turn = 0; turn < 12 && !replies.some((reply) => reply.contextShifted); turn++) {
      const sent: SendResult = await call<SendResult>('chat.send', {
        conversationId,
        text: `${paragraph}Turn ${turn}.`,
        settings: conversationId ? undefined : { sampling, preset: 'custom' },
      })
      conversationId = sent.conversation.id
      const reply = await finished(sent.assistantMessage.id)
      expect(reply.state).toBe('complete')
      expect(reply.content.length).toBeGreaterThan(0)
      replies.push(reply)
    }
    const shifted = replies.findIndex((reply) => reply.contextShifted)
    expect(shifted).toBeGreaterThan(0)
    expect(replies[0]!.contextShifted).toBeUndefined()

    const reopened = await call<Conversation>('chat.get', { conversationId })
    const stored = reopened.messages.filter((message) => message.role === 'assistant')
    expect(stored.map((message) => message.contextShifted === true)).toEqual(replies.map((reply) => reply.contextShifted === true))
  }, 120_000)
})

describe('a long conversation opens at its latest page', () => {
  /** Writes `count` alternating messages in one conversation, plus a second version of message 10. */
  function seed(count: number): { conversationId: string; ids: string[]; version: string } {
    const db = openDatabase(join(temp.dir, 'gridforge.db'))
    try {
      const repo = new ChatRepository(db)
      const conversation = repo.createConversation('Seeded')
      const ids: string[] = []
      let version = ''
      db.transaction(() => {
        for (let i = 0; i < count; i++) {
          const message = repo.appendMessage({
            conversationId: conversation.id,
            parentId: ids.at(-1) ?? null,
            role: i % 2 ? 'assistant' : 'user',
            content: `message ${i}`,
            state: 'complete',
            model: i % 2 ? 'seed.gguf' : null,
          })
          ids.push(message.id)
          if (i === 10) {
            version = repo.appendMessage({ ...message, parentId: ids[9]!, content: 'message 10, second version', selectedAt: 0 }).id
          }
        }
      })()
      return { conversationId: conversation.id, ids, version }
    } finally {
      db.close()
    }
  }

  it('returns the latest 200 messages, then earlier pages in order, down to the first', async () => {
    const { conversationId, ids } = seed(450)
    const opened = await call<Conversation>('chat.get', { conversationId })
    expect(opened.messages.map((m) => m.id)).toEqual(ids.slice(250))
    expect(opened.olderMessages).toBe(250)

    const loaded = [...opened.messages]
    let older = opened.olderMessages!
    while (older > 0) {
      const page = await call<MessagePage>('chat.older', { conversationId, before: loaded[0]!.id })
      loaded.unshift(...page.messages)
      expect(page.olderMessages).toBe(older - page.messages.length)
      older = page.olderMessages
    }
    expect(loaded.map((m) => m.content)).toEqual(ids.map((_, i) => `message ${i}`))
  })

  it('keeps versions working on an earlier page: showing one returns a page that reaches back to it', async () => {
    const { conversationId, ids, version } = seed(450)
    const page = await call<MessagePage>('chat.older', { conversationId, before: ids[250]!, limit: 245 })
    expect(page.versions[ids[10]!]).toEqual([ids[10], version])

    // The second version has no replies yet: the path ends there and fits one page.
    const switched = await call<Conversation>('chat.select', { messageId: version })
    expect(switched.olderMessages).toBe(0)
    expect(switched.messages).toHaveLength(11)
    expect(switched.messages.at(-1)).toMatchObject({ id: version, content: 'message 10, second version' })
    expect(switched.versions?.[version]).toEqual([ids[10], version])

    // Back on the long branch, the page reaches back to just before the version shown.
    const back = await call<Conversation>('chat.select', { messageId: ids[10]! })
    expect(back.olderMessages).toBe(9)
    expect(back.messages[1]!.id).toBe(ids[10])
    expect(back.messages.at(-1)!.id).toBe(ids.at(-1))
  })

  it('says plainly when the messages asked for are no longer on the shown path', async () => {
    const { conversationId, ids, version } = seed(20)
    await call<Conversation>('chat.select', { messageId: version })
    const result = await host().dispatch('chat.older', { conversationId, before: ids[15] })
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/changed/) } })
  })
})
