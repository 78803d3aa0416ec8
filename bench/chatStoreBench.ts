import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ChatRepository } from '../src/main/store/chatRepository.js'
import { openDatabase } from '../src/main/store/database.js'
import { median, metric, table, type Metric } from './metrics.js'

const CONVERSATIONS = 1000
const MESSAGES_PER_CONVERSATION = 100
const ROUNDS = 21

/** A deterministic vocabulary of made-up words, so searches hit a realistic spread of rows. */
function vocabulary(size: number): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'pe', 'da', 'gri', 'fon', 'tal', 'bur']
  let seed = 42
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  return Array.from({ length: size }, () =>
    Array.from({ length: 2 + Math.floor(next() * 3) }, () => syllables[Math.floor(next() * syllables.length)]).join(''),
  )
}

function timeMs(work: () => unknown): number {
  const start = performance.now()
  work()
  return performance.now() - start
}

/**
 * The chat store at scale: 100,000 messages in 1,000 conversations (every insert through the FTS
 * triggers), then the conversation list, opening a conversation and full-text search.
 */
export function chatStoreBench(): Metric[] {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-chatbench-'))
  const db = openDatabase(join(dir, 'gridforge.db'))
  try {
    const repo = new ChatRepository(db)
    const words = vocabulary(5000)
    let cursor = 0
    const sentence = (length: number) => Array.from({ length }, () => words[(cursor = (cursor * 7 + 13) % words.length)]).join(' ')
    const fillMs = timeMs(() => {
      for (let c = 0; c < CONVERSATIONS; c++) {
        repo.transaction(() => {
          const conversation = repo.createConversation(`Chat ${c} ${sentence(3)}`)
          let parentId: string | null = null
          for (let m = 0; m < MESSAGES_PER_CONVERSATION; m++) {
            const message = repo.appendMessage({
              conversationId: conversation.id,
              parentId,
              role: m % 2 ? 'assistant' : 'user',
              content: sentence(m % 2 ? 60 : 15),
              state: 'complete',
              model: null,
            })
            parentId = message.id
          }
        })
      }
    })
    const list = repo.listConversations()
    const listMs = median(Array.from({ length: ROUNDS }, () => timeMs(() => repo.listConversations())))
    const openMs = median(Array.from({ length: ROUNDS }, (_, i) => timeMs(() => repo.activePath(list[i]!.id))))
    // Words that are in the messages: one from a user message, two from a reply, a 3-letter prefix.
    const used = repo.activePath(list[0]!.id).messages.flatMap((message) => message.content.split(' '))
    const queries = [used[3]!, `${used[20]} ${used[40]}`, used[5]!.slice(0, 3), 'Chat 500']
    const searchMs = queries.map((query) => median(Array.from({ length: ROUNDS }, () => timeMs(() => repo.search(query)))))
    const hits = queries.map((query) => `${repo.search(query).length} hits (top 50)`)
    return [
      metric(
        'chat_store.fill_100k_messages',
        fillMs / 1000,
        's',
        undefined,
        `${CONVERSATIONS} conversations × ${MESSAGES_PER_CONVERSATION}`,
      ),
      metric('chat_store.conversation_list', listMs, 'ms', '< 50', `${list.length} conversations`),
      metric('chat_store.open_conversation_100', openMs, 'ms'),
      metric('chat_store.search.one_word', searchMs[0]!, 'ms', '< 100', hits[0]),
      metric('chat_store.search.two_words', searchMs[1]!, 'ms', '< 100', hits[1]),
      metric('chat_store.search.prefix', searchMs[2]!, 'ms', '< 100', hits[2]),
      metric('chat_store.search.title', searchMs[3]!, 'ms', '< 100', hits[3]),
    ]
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${table(chatStoreBench())}\n`)
}
