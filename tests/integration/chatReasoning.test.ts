import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { ChatService } from '../../src/main/chat/chatService.js'
import type { ReplySource } from '../../src/main/chat/replySource.js'
import { exportJson } from '../../src/main/chat/transfer/exportChats.js'
import { parseImport, storeImport } from '../../src/main/chat/transfer/importChats.js'
import type { Engine, GenerateHandlers } from '../../src/main/engine/engine.js'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import { DEFAULT_CONVERSATION_SETTINGS } from '../../src/shared/chatSettings.js'
import { thoughtFor } from '../../src/renderer/src/features/chat/thoughtFor.js'
import type { ChatDelta, Message } from '../../src/shared/domain.js'
import type { GenerateRequest, GenerateResult } from '../../src/shared/generation.js'
import { replyLabel } from '../../src/shared/gridChat.js'
import { tempDataDir } from '../support/paths.js'
import { engineSnapshot, loadedModelAt, scriptedEngineOn } from '../support/fakeEngine.js'

/**
 * Chat replies from any source, through the real ChatService and SQLite. The engine is scripted: it plays
 * what the generation engine reports for a thinking model (reasoning through `onReasoning`, then the
 * answer), with a clock the script moves.
 */
const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

const THOUGHTS = ['The user says hi. ', 'I should greet them back.']
const ANSWER = ['Hello', ' there!']

type Script = (handlers: GenerateHandlers, clock: { time: number }) => Promise<Partial<GenerateResult>>

function scriptedEngine(script: Script, clock: { time: number }, loaded = true) {
  const requests: GenerateRequest[] = []
  const model = loadedModelAt('/models/think.gguf', { architecture: 'qwen3', contextSize: 4096, hasChatTemplate: true })
  const snapshot = engineSnapshot({ state: loaded ? 'ready' : 'idle', model: loaded ? model : null })
  const engine = scriptedEngineOn(snapshot, async (request, handlers = {}) => {
    requests.push(request)
    const result = await script(handlers, clock)
    return { text: '', finishReason: 'stop', promptTokens: 1, completionTokens: 1, durationMs: 1, firstTokenMs: 1, ...result }
  })
  return { engine, requests }
}

/** Thinks for 4 s (from the first thought to the first word of the answer), then answers. */
const thinkThenAnswer: Script = async (handlers, clock) => {
  clock.time += 1000
  handlers.onReasoning?.(THOUGHTS[0]!, 1)
  await tick()
  clock.time += 1500
  handlers.onReasoning?.(THOUGHTS[1]!, 2)
  await tick()
  clock.time += 2500
  handlers.onText?.(ANSWER[0]!, 3)
  handlers.onText?.(ANSWER[1]!, 4)
  return { text: ANSWER.join(''), reasoning: THOUGHTS.join('') }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

function setup(engine: Engine, clock: { time: number }) {
  const temp = tempDataDir()
  const file = join(temp.dir, 'gridforge.db')
  const dbs: Database.Database[] = [openDatabase(file)]
  cleanups.push(() => {
    dbs.forEach((db) => db.close())
    temp.cleanup()
  })
  const repo = new ChatRepository(dbs[0]!)
  const deltas: ChatDelta[] = []
  const finished: Message[] = []
  let localUses = 0
  const chat = new ChatService(
    repo,
    engine,
    () => {
      localUses++
      return () => undefined
    },
    () => clock.time,
  )
  chat.on('chat.delta', (delta) => deltas.push(delta))
  chat.on('chat.message', (message) => finished.push(message))
  const done = async (messageId: string): Promise<Message> => {
    for (let i = 0; i < 500; i++) {
      const message = finished.find((m) => m.id === messageId)
      if (message) return message
      await tick()
    }
    throw new Error('the reply did not finish')
  }
  /** The same database opened again, as after a restart. */
  const reopened = () => {
    const db = openDatabase(file)
    dbs.push(db)
    return new ChatRepository(db)
  }
  return { chat, repo, deltas, done, reopened, localUses: () => localUses }
}

describe('a reply with thinking', () => {
  it('streams its thoughts apart from its answer, stores both, and never sends the thoughts back', async () => {
    const clock = { time: 0 }
    const { engine, requests } = scriptedEngine(thinkThenAnswer, clock)
    const { chat, deltas, done, reopened } = setup(engine, clock)

    const sent = chat.send(null, 'Hi')
    const reply = await done(sent.assistantMessage.id)
    expect(reply).toMatchObject({
      state: 'complete',
      content: 'Hello there!',
      reasoning: 'The user says hi. I should greet them back.',
      reasoningMs: 4000,
      backend: 'local',
      model: 'think.gguf',
    })
    expect(thoughtFor(reply.reasoningMs, false)).toBe('Thought for 4 s')

    const ours = deltas.filter((delta) => delta.messageId === sent.assistantMessage.id)
    expect(ours.map((delta) => delta.reasoning ?? '').join('')).toBe(THOUGHTS.join(''))
    expect(ours.map((delta) => delta.text).join('')).toBe(ANSWER.join(''))
    for (const delta of ours) expect(delta.text).not.toContain('greet')
    // The UI learns how long it thought as soon as the answer begins, from the batch that starts it.
    const answerStarts = ours.findIndex((delta) => delta.text !== '')
    expect(ours.map((delta) => delta.reasoningMs)).toEqual(ours.map((_, index) => (index === answerStarts ? 4000 : undefined)))

    // Kept across a restart.
    expect(reopened().getMessage(sent.assistantMessage.id)).toMatchObject({
      content: 'Hello there!',
      reasoning: THOUGHTS.join(''),
      reasoningMs: 4000,
    })

    // The next turn sees what was answered, not the thinking behind it.
    const next = chat.send(sent.conversation.id, 'How are you?')
    await done(next.assistantMessage.id)
    const turns = requests[1]!.kind === 'chat' ? requests[1]!.turns : []
    expect(turns).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello there!' },
      { role: 'user', content: 'How are you?' },
    ])
    expect(JSON.stringify(requests[1])).not.toContain('greet them back')
  })

  it('stopped while thinking, keeps the thoughts so far (stored as they stream, so a crash keeps them too)', async () => {
    const clock = { time: 0 }
    let thinking: () => void = () => undefined
    const thoughtSoFar = new Promise<void>((resolve) => (thinking = resolve))
    const { engine } = scriptedEngine(async (handlers, time) => {
      time.time += 500
      handlers.onReasoning?.('Let me think about this', 1)
      thinking()
      await new Promise((resolve) => handlers.signal?.addEventListener('abort', resolve))
      time.time += 2000
      return { text: '', finishReason: 'abort' }
    }, clock)
    const { chat, done, reopened } = setup(engine, clock)

    const sent = chat.send(null, 'A hard question')
    await thoughtSoFar
    expect(reopened().getMessage(sent.assistantMessage.id)).toMatchObject({
      state: 'streaming',
      content: '',
      reasoning: 'Let me think about this',
    })
    expect(chat.stop(sent.assistantMessage.id)).toBe(true)
    expect(await done(sent.assistantMessage.id)).toMatchObject({
      state: 'stopped',
      content: '',
      reasoning: 'Let me think about this',
      reasoningMs: 2000,
    })
  })

  it('keeps its thoughts and its backend through a JSON export and import', async () => {
    const clock = { time: 0 }
    const { engine } = scriptedEngine(thinkThenAnswer, clock)
    const { chat, repo, done } = setup(engine, clock)
    const sent = chat.send(null, 'Hi')
    await done(sent.assistantMessage.id)

    const file = exportJson(repo, [sent.conversation.id], 1)
    const [imported] = await storeImport(repo, await parseImport(file))
    const reply = repo.activePath(imported!.id).messages.at(-1)!
    expect(reply).toMatchObject({
      content: 'Hello there!',
      reasoning: THOUGHTS.join(''),
      reasoningMs: 4000,
      backend: 'local',
      model: 'think.gguf',
    })
    expect(reply.id).not.toBe(sent.assistantMessage.id)
  })
})

describe('replies from every source', () => {
  /** A burst of 200 tokens at once, as a fast grid's stream or the engine's batches can deliver them. */
  const burst: Script = async (handlers) => {
    for (let i = 0; i < 200; i++) handlers.onText?.(`w${i} `, i + 1)
    await new Promise((resolve) => setTimeout(resolve, 40))
    return { text: Array.from({ length: 200 }, (_, i) => `w${i} `).join('') }
  }
  const gridSource = (script: Script, clock: { time: number }): ReplySource => ({
    author: () => ({ backend: 'aipg', model: 'grid/llama', gridOrigin: 'https://grid.example' }),
    generate: async (_request, handlers) => ({
      text: '',
      finishReason: 'stop',
      promptTokens: 0,
      completionTokens: 0,
      durationMs: 0,
      firstTokenMs: 0,
      ...(await script(handlers, clock)),
    }),
  })

  it('are coalesced the same way, and each reply records who wrote it as data', async () => {
    const clock = { time: 0 }
    const { engine } = scriptedEngine(burst, clock)
    const { chat, deltas, done, localUses } = setup(engine, clock)

    const local = chat.send(null, 'Local please')
    const localReply = await done(local.assistantMessage.id)
    const grid = chat.send(null, 'Grid please', undefined, gridSource(burst, clock))
    const gridReply = await done(grid.assistantMessage.id)

    const of = (id: string) => deltas.filter((delta) => delta.messageId === id)
    for (const reply of [localReply, gridReply]) {
      expect(
        of(reply.id)
          .map((delta) => delta.text)
          .join(''),
      ).toBe(reply.content)
      // 200 tokens in one burst: the first words at once, the rest together.
      expect(of(reply.id)).toHaveLength(2)
    }

    expect(localReply).toMatchObject({ backend: 'local', model: 'think.gguf' })
    expect(localReply.gridOrigin).toBeUndefined()
    expect(replyLabel(localReply)).toBe('think.gguf')
    expect(gridReply).toMatchObject({ backend: 'aipg', model: 'grid/llama', gridOrigin: 'https://grid.example' })
    expect(replyLabel(gridReply)).toBe('AIPG grid · grid/llama')
    // Only the local reply kept the miner waiting.
    expect(localUses()).toBe(1)

    // Follow-ups go where the reply came from, read from the data.
    expect(chat.followUpBackend(localReply.id)).toEqual({ kind: 'local' })
    expect(chat.followUpBackend(gridReply.id)).toEqual({ kind: 'grid', network: 'aipg', model: 'grid/llama' })
    expect(chat.followUpBackend(grid.userMessage.id)).toEqual({ kind: 'grid', network: 'aipg', model: 'grid/llama' })
  })

  it('the local source says a model is needed before anything is stored', () => {
    const clock = { time: 0 }
    const { engine } = scriptedEngine(thinkThenAnswer, clock, false)
    const { chat, repo } = setup(engine, clock)
    expect(() => chat.send(null, 'Hi')).toThrow('Load a model before sending a message.')
    expect(repo.listConversations()).toEqual([])
  })
})

describe('an export from before replies recorded their backend', () => {
  it('imports grid replies as grid replies, read from their labels once', async () => {
    const clock = { time: 0 }
    const { engine } = scriptedEngine(thinkThenAnswer, clock)
    const { repo } = setup(engine, clock)
    const message = (id: string, parentId: string | null, role: 'user' | 'assistant', model: string | null) => ({
      id,
      parentId,
      role,
      content: id,
      state: 'complete',
      error: null,
      model,
      selectedAt: 1,
      createdAt: 1,
      updatedAt: 1,
    })
    const settings = DEFAULT_CONVERSATION_SETTINGS
    const version1 = JSON.stringify({
      format: 'gridforge-chat',
      version: 1,
      exportedAt: 1,
      conversations: [
        {
          id: 'c',
          title: 'Old export',
          createdAt: 1,
          updatedAt: 1,
          settings,
          messages: [
            message('u', null, 'user', null),
            message('a', 'u', 'assistant', 'AIPG grid · auto'),
            message('h', 'u', 'assistant', 'AI Horde · koboldcpp/x'),
            message('l', 'u', 'assistant', 'stories260K.gguf'),
          ],
        },
      ],
    })
    const [imported] = await storeImport(repo, await parseImport(version1))
    const replies = repo.listAllMessages(imported!.id).filter((m) => m.role === 'assistant')
    expect(replies.map((m) => [m.content, m.backend, m.model, replyLabel(m)])).toEqual([
      ['a', 'aipg', 'auto', 'AIPG grid · auto'],
      ['h', 'horde', 'koboldcpp/x', 'AI Horde · koboldcpp/x'],
      ['l', 'local', 'stories260K.gguf', 'stories260K.gguf'],
    ])
  })
})
