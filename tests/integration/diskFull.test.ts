import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ChatService } from '../../src/main/chat/chatService.js'
import type { Engine } from '../../src/main/engine/engine.js'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import type { Message } from '../../src/shared/domain.js'
import { tempDataDir } from '../support/paths.js'
import { engineSnapshot, loadedModelAt, scriptedEngineOn } from '../support/fakeEngine.js'

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

/** An engine that streams a fixed reply in pieces, calling `during` before the last piece. */
function scriptedEngine(pieces: string[], during: () => void = () => undefined): Engine {
  return scriptedEngineOn(engineSnapshot({ model: loadedModelAt('/m.gguf') }), async (_request, handlers) => {
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1) during()
      handlers?.onText?.(piece, i + 1)
      await new Promise((r) => setTimeout(r, 5))
    }
    return {
      text: pieces.join(''),
      finishReason: 'stop',
      promptTokens: 3,
      completionTokens: pieces.length,
      durationMs: 10,
      firstTokenMs: 1,
    }
  })
}

function setup(engine: (fill: () => void) => Engine) {
  const temp = tempDataDir()
  const db = openDatabase(join(temp.dir, 'gridforge.db'))
  cleanups.push(() => {
    db.close()
    temp.cleanup()
  })
  // SQLite's page limit makes the next write fail with SQLITE_FULL, exactly as a full disk does.
  const fill = () => db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`)
  const chat = new ChatService(new ChatRepository(db), engine(fill))
  const messages: Message[] = []
  chat.on('chat.message', (message) => messages.push(message))
  return { chat, fill, messages }
}

describe('a full disk', () => {
  it('refuses a new message with a clear sentence, before anything is generated', () => {
    const { chat, fill } = setup(() => scriptedEngine(['never']))
    fill()
    // Larger than a page, so it needs pages the "disk" no longer has.
    expect(() => chat.send(null, 'Hello '.repeat(5000))).toThrow(/disk is full/)
  })

  it('mid-reply: the reply still reaches the user, marked with why it was not saved', async () => {
    let fillDisk: () => void = () => undefined
    const { chat, messages } = setup((fill) => {
      fillDisk = fill
      return scriptedEngine(['Once', ' upon', ' a', ' time'.repeat(3000)], () => fillDisk())
    })
    const sent = chat.send(null, 'Tell me a story about a very long river that runs through many lands')
    for (let i = 0; i < 100 && messages.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    const final = messages.find((m) => m.id === sent.assistantMessage.id)!
    expect(final.content).toBe(`Once upon a${' time'.repeat(3000)}`)
    expect(final).toMatchObject({ state: 'error', error: expect.stringMatching(/disk is full/) })
  })
})
