import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'
import { TestClient } from '../support/wsClient.js'

const temp = tempDataDir()
let serve: ServeProcess
const clients: TestClient[] = []

async function connect(token: string | null = serve.token): Promise<TestClient> {
  const client = await TestClient.connect(serve.url, token)
  clients.push(client)
  return client
}

beforeAll(async () => {
  requireBuild()
  serve = await startServe(temp.dir)
})
afterEach(() => clients.splice(0).forEach((client) => client.close()))
afterAll(async () => {
  await serve.stop()
  temp.cleanup()
})

describe('gridforge serve', () => {
  it('listens on loopback and serves the UI with a strict CSP', async () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const response = await fetch(serve.url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline')
    expect(await response.text()).toContain('<div id="root">')
  })

  it('never serves files outside the UI folder', async () => {
    for (const path of ['/../../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json']) {
      const body = await (await fetch(serve.url + path.slice(1))).text()
      expect(body, path).not.toContain('"name": "gridforge"')
    }
  })

  it('refuses WebSocket connections without the right token', async () => {
    await expect(connect(null)).rejects.toThrow('HTTP 401')
    await expect(connect('wrong-token-0123456789abcdef')).rejects.toThrow('HTTP 401')
    await expect(connect(serve.token.slice(0, -1))).rejects.toThrow('HTTP 401')
  })

  it('answers malformed and oversized requests with BAD_REQUEST and keeps serving', async () => {
    const client = await connect()
    expect(await client.raw({ id: 1, name: 'chat.get', request: { conversationId: 7 } })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    })
    expect(await client.raw({ id: 2, name: 'rm -rf', request: {} })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    expect(await client.raw('{"id": 3, "name": "chat.list", "request": {', -1)).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    })
    const huge = { id: 4, name: 'chat.send', request: { conversationId: null, text: 'x'.repeat(2_000_000) } }
    expect(await client.raw(huge)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: 'The request is too large.' } })
    expect(await client.value('chat.list', {})).toEqual([])
  })

  it('says start at login, updates and the logs folder belong to the desktop app, and has no logs folder', async () => {
    const client = await connect()
    expect(await client.value('app.info', {})).toMatchObject({ shell: 'headless', logsDir: null })
    for (const [name, request] of [
      ['desktop.status', {}],
      ['desktop.setLoginItem', { openAtLogin: true, startHidden: false, startEarning: false }],
      ['desktop.update', { action: 'check' }],
      ['desktop.openLogsFolder', {}],
    ] as const) {
      expect(await client.call(name, request), name).toMatchObject({ ok: false, error: { code: 'DESKTOP_ONLY' } })
    }
  })

  it('refuses to chat before a model is loaded, storing nothing', async () => {
    const client = await connect()
    expect(await client.call('chat.send', { conversationId: null, text: 'Hello' })).toMatchObject({
      ok: false,
      error: { code: 'NO_MODEL' },
    })
    expect(await client.value('chat.list', {})).toEqual([])
  })

  it('stores the user message before generating and streams the reply to every client', async () => {
    const client = await connect()
    const watcher = await connect()
    await client.value('engine.load', { path: temp.model })
    const sent = await client.value('chat.send', { conversationId: null, text: 'Once upon a time' })
    expect(sent.conversation.title).toBe('Once upon a time')
    expect(sent.userMessage).toMatchObject({ role: 'user', content: 'Once upon a time', state: 'complete' })
    expect(sent.assistantMessage).toMatchObject({ role: 'assistant', state: 'streaming', model: 'stories260K.gguf' })

    const finished = await watcher.waitFor('chat.message', (m) => m.id === sent.assistantMessage.id)
    const streamed = watcher.events
      .filter((e) => e.name === 'chat.delta')
      .map((e) => (e.payload as { text: string }).text)
      .join('')
    expect(finished.state).toBe('complete')
    expect(finished.content.length).toBeGreaterThan(20)
    expect(finished.content.startsWith(streamed.slice(0, 20))).toBe(true)

    const stored = await client.value('chat.get', { conversationId: sent.conversation.id })
    expect(stored.messages.map((m) => [m.role, m.state])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ])
  })

  it('continues a conversation with the earlier turns', async () => {
    const client = await connect()
    const [conversation] = await client.value('chat.list', {})
    const sent = await client.value('chat.send', { conversationId: conversation!.id, text: 'The end.' })
    await client.waitFor('chat.message', (m) => m.id === sent.assistantMessage.id)
    const stored = await client.value('chat.get', { conversationId: conversation!.id })
    expect(stored.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant'])
  })

  it('stops a reply on request and keeps the text so far', async () => {
    const client = await connect()
    const sent = await client.value('chat.send', { conversationId: null, text: 'Once upon a time there was a dragon' })
    await client.waitFor('chat.delta', (d) => d.messageId === sent.assistantMessage.id)
    await client.value('chat.stop', { messageId: sent.assistantMessage.id })
    const final = await client.waitFor('chat.message', (m) => m.id === sent.assistantMessage.id)
    // The tiny model may finish on its own before the stop lands; either way nothing is lost.
    expect(['stopped', 'complete']).toContain(final.state)
    expect(final.content.length).toBeGreaterThan(0)
  })
})
