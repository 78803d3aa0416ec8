import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Host } from '../../src/main/host/createHost.js'
import type { Conversation, Message } from '../../src/shared/domain.js'
import { replyLabel } from '../../src/shared/gridChat.js'
import { tempDataDir } from '../support/paths.js'
import { chunk, healthyRoutes, json, sse, startScriptedServer, type ScriptedServer } from '../support/scriptedOpenAi.js'
import { testHost, until } from './hostHarness.js'

const temp = tempDataDir()
let host: Host
let server: ScriptedServer
const messages: Message[] = []
const deltas: string[] = []
const backend = { kind: 'server' } as const

beforeAll(async () => {
  server = await startScriptedServer(healthyRoutes('tiny', 'Hello from your server'))
  host = testHost(temp)
  host.events.subscribe((name, payload) => {
    if (name === 'chat.message') messages.push(payload as Message)
    if (name === 'chat.delta') deltas.push((payload as { text: string }).text)
  })
})
afterAll(async () => {
  await host?.close()
  await server?.close()
  temp.cleanup()
})

async function call<T>(name: string, request: unknown): Promise<T> {
  const result = await host.dispatch(name, request)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as T
}
const finished = (id: string) => until(() => messages.find((message) => message.id === id && message.state !== 'streaming'))
type Sent = { conversation: Conversation; assistantMessage: Message }

describe('chat through the inference server the user runs ("My server")', () => {
  it('is refused in one sentence until a server is set up', async () => {
    const refused = await host.dispatch('chat.send', { conversationId: null, text: 'Hello?', backend })
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'NO_MODEL',
        message: 'Choose a server and its model in Settings › Where the tokens come from to chat with My server.',
      },
    })
    expect(await call('chat.list', {})).toEqual([])
  })

  it('streams the reply from the server with no local model loaded, labels it, and regenerates there too', async () => {
    await call('bridge.configure', { mode: 'server', kind: 'openai', url: `${server.origin}/v1`, model: 'tiny' })
    expect(host.engine.snapshot().model).toBeNull()
    const sent = await call<Sent>('chat.send', { conversationId: null, text: 'Tell me about walruses', backend })
    expect(sent.assistantMessage).toMatchObject({ state: 'streaming', backend: 'server', model: 'tiny', gridOrigin: server.origin })
    const done = await finished(sent.assistantMessage.id)
    expect(done).toMatchObject({ state: 'complete', content: 'Hello from your server' })
    expect(replyLabel(done)).toBe('My server · tiny')
    expect(deltas.join('')).toContain('Hello from your server')
    const asked = server.seen.filter((request) => request.path === '/v1/chat/completions' && request.body.stream === true).at(-1)!
    expect(asked.body).toMatchObject({ model: 'tiny', messages: [{ role: 'user', content: 'Tell me about walruses' }] })

    const before = server.seen.length
    const regenerated = await call<Conversation>('chat.regenerate', { messageId: sent.assistantMessage.id })
    const version = regenerated.messages.at(-1)!
    expect(version).toMatchObject({ backend: 'server', model: 'tiny' })
    await finished(version.id)
    // The probe was made once: the second reply is one request to the server.
    expect(server.seen.slice(before).map((request) => request.path)).toEqual(['/v1/chat/completions'])
  })

  it('stops a reply mid-stream: the partial text is kept and the request to the server is closed', async () => {
    let closed = false
    server.routes = {
      ...server.routes,
      '/v1/chat/completions': (request, _body, response) => {
        request.socket.on('close', () => (closed = true))
        sse(response, [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Once upon' })], false)
      },
    }
    const sent = await call<Sent>('chat.send', { conversationId: null, text: 'A long story, please', backend })
    await until(() => deltas.some((text) => text.includes('Once upon')))
    expect(await call('chat.stop', { messageId: sent.assistantMessage.id })).toEqual({ stopped: true })
    expect(await finished(sent.assistantMessage.id)).toMatchObject({ state: 'stopped', content: 'Once upon' })
    await until(() => closed)
  })

  it('ends the reply with the server’s sentence when it goes away, and works again once it is back', async () => {
    const healthy = healthyRoutes('tiny', 'Back again')
    server.routes = { ...healthy, '/v1/chat/completions': (_q, _b, r) => json(r, 500, { error: { message: 'CUDA out of memory' } }) }
    const failed = await call<Sent>('chat.send', { conversationId: null, text: 'Hello?', backend })
    expect(await finished(failed.assistantMessage.id)).toMatchObject({
      state: 'error',
      error: expect.stringMatching(/^The inference server failed \(500\): CUDA out of memory/),
    })

    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const closedPort = (probe.address() as { port: number }).port
    await new Promise((resolve) => probe.close(resolve))
    await call('bridge.configure', { mode: 'server', kind: 'openai', url: `http://127.0.0.1:${closedPort}/v1`, model: 'tiny' })
    const unreachable = await call<Sent>('chat.send', { conversationId: failed.conversation.id, text: 'Still there?', backend })
    expect(await finished(unreachable.assistantMessage.id)).toMatchObject({
      state: 'error',
      error: `Could not reach the inference server at http://127.0.0.1:${closedPort}.`,
    })

    server.routes = healthy
    await call('bridge.configure', { mode: 'server', kind: 'openai', url: `${server.origin}/v1`, model: 'tiny' })
    const again = await call<Sent>('chat.send', { conversationId: failed.conversation.id, text: 'And now?', backend })
    expect(await finished(again.assistantMessage.id)).toMatchObject({ state: 'complete', content: 'Back again' })
  })
})
