import { afterAll, describe, expect, it } from 'vitest'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe } from '../support/serveProcess.js'
import { TestClient } from '../support/wsClient.js'

const temp = tempDataDir()
afterAll(() => temp.cleanup())

describe('a host killed mid-reply', () => {
  it('keeps the user message and the partial reply, marked interrupted, after a restart', async () => {
    requireBuild()
    const first = await startServe(temp.dir)
    const client = await TestClient.connect(first.url, first.token)
    await client.value('engine.load', { path: temp.model })
    const sent = await client.value('chat.send', { conversationId: null, text: 'Once upon a time' })
    const delta = await client.waitFor('chat.delta', (d) => d.messageId === sent.assistantMessage.id)
    await first.stop('SIGKILL')
    client.close()

    const second = await startServe(temp.dir)
    try {
      const after = await TestClient.connect(second.url, second.token)
      const conversation = await after.value('chat.get', { conversationId: sent.conversation.id })
      const [user, reply] = conversation.messages
      expect(user).toMatchObject({ role: 'user', content: 'Once upon a time', state: 'complete' })
      expect(reply).toMatchObject({ id: sent.assistantMessage.id, state: 'interrupted' })
      expect(reply!.content.startsWith(delta.text)).toBe(true)
      after.close()
    } finally {
      await second.stop()
    }
  })
})
