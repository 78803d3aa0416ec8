import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { createHost, type Host } from '../../src/main/host/createHost.js'
import type { Conversation, Message, SendResult } from '../../src/shared/domain.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
let host: Host

beforeAll(async () => {
  requireBuild()
  host = createHost({
    dataDir: temp.dir,
    shell: 'headless',
    version: '0.0.0-test',
    launchEngine: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }),
  })
  await host.engine.load(temp.model)
})
afterAll(async () => {
  await host.close()
  temp.cleanup()
})

async function call<T>(name: string, request: unknown): Promise<T> {
  const result = await host.dispatch(name, request)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as T
}

function finished(messageId: string): Promise<Message> {
  return new Promise((resolve) => {
    const off = host.events.subscribe((name, payload) => {
      if (name === 'chat.message' && (payload as Message).id === messageId) {
        off()
        resolve(payload as Message)
      }
    })
  })
}

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
