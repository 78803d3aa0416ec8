import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Host } from '../../src/main/host/createHost.js'
import type { LocalApiSnapshot, Message } from '../../src/shared/domain.js'
import { freePort } from '../support/freePort.js'
import { startLocalApiServe, type LocalApiServe } from '../support/localApiServe.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { json, startScriptedServer, healthyRoutes, type ScriptedServer } from '../support/scriptedOpenAi.js'
import { testHost, until } from './hostHarness.js'

/**
 * The user's own server is a real OpenAI-compatible server: another GridForge's local API in a `gridforge serve
 * --api` process of its own, with the tiny model loaded. The app under test has no model loaded.
 */
const serverDir = tempDataDir()
const appDir = tempDataDir()
let server: LocalApiServe
let serverToken = ''
let host: Host
let api: { url: string; token: string }
let scripted: ScriptedServer
const messages: Message[] = []

beforeAll(async () => {
  requireBuild()
  server = await startLocalApiServe(serverDir.dir, serverDir.model)
  serverToken = readFileSync(server.tokenFile, 'utf8').trim()

  scripted = await startScriptedServer({
    ...healthyRoutes('flaky'),
    '/v1/chat/completions': (_q, body, r) =>
      body.max_tokens === 1
        ? healthyRoutes('flaky')['/v1/chat/completions']!(_q, body, r)
        : json(r, 503, { error: { message: 'Loading model' } }),
  })
  host = testHost(appDir)
  host.events.subscribe((name, payload) => name === 'chat.message' && messages.push(payload as Message))
  const result = await host.dispatch('api.configure', { enabled: true, host: '127.0.0.1', port: await freePort(), corsOrigins: [] })
  if (!result.ok) throw new Error(result.error.message)
  const snapshot = await until(() => {
    const value = host.localApi.snapshot() as LocalApiSnapshot
    return value.running && value.url && value.token ? value : null
  })
  api = { url: snapshot.url!, token: snapshot.token! }
}, 120_000)
afterAll(async () => {
  await host?.close()
  await scripted?.close()
  await server?.serve.stop()
  serverDir.cleanup()
  appDir.cleanup()
})

async function call<T>(name: string, request: unknown): Promise<T> {
  const result = await host.dispatch(name, request)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as T
}
const ask = (path: string, body?: unknown) =>
  fetch(`${api.url}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  })

describe("chat and the local API through the user's own server, a real OpenAI server in another process", () => {
  it("chats with the server's model and answers the local API's requests for it, streamed and not", async () => {
    await call('bridge.configure', { mode: 'server', kind: 'openai', url: server.apiUrl, model: 'stories260K', apiKey: serverToken })
    expect(host.engine.snapshot().model).toBeNull()

    const sent = await call<{ assistantMessage: Message }>('chat.send', {
      conversationId: null,
      text: 'Once upon a time',
      backend: { kind: 'server' },
    })
    const reply = await until(() => messages.find((message) => message.id === sent.assistantMessage.id && message.state !== 'streaming'))
    expect(reply).toMatchObject({ state: 'complete', backend: 'server', model: 'stories260K' })
    expect(reply.content.length).toBeGreaterThan(0)

    const models = (await (await ask('/v1/models')).json()) as { data: Array<{ id: string; owned_by: string }> }
    expect(models.data).toEqual([expect.objectContaining({ id: 'stories260K', owned_by: 'your-server' })])

    const whole = await ask('/v1/chat/completions', { model: 'stories260K', messages: [{ role: 'user', content: 'Once' }], max_tokens: 12 })
    expect(whole.status).toBe(200)
    const answer = (await whole.json()) as {
      model: string
      choices: Array<{ message: { content: string } }>
      usage: { completion_tokens: number }
    }
    expect(answer.model).toBe('stories260K')
    expect(answer.choices[0]!.message.content.length).toBeGreaterThan(0)
    expect(answer.usage.completion_tokens).toBeGreaterThan(0)

    const streamed = await ask('/v1/chat/completions', {
      model: 'stories260K',
      messages: [{ role: 'user', content: 'Once' }],
      max_tokens: 12,
      stream: true,
    })
    expect(streamed.headers.get('content-type')).toMatch(/text\/event-stream/)
    const events = (await streamed.text()).split('\n\n').filter(Boolean)
    expect(events.at(-1)).toBe('data: [DONE]')
    const text = events
      .slice(0, -1)
      .map((event) => JSON.parse(event.slice('data: '.length)) as { model: string; choices: Array<{ delta?: { content?: string } }> })
      .map((chunk) => (expect(chunk.model).toBe('stories260K'), chunk.choices[0]?.delta?.content ?? ''))
      .join('')
    expect(text.length).toBeGreaterThan(0)

    const unknown = await ask('/v1/chat/completions', { model: 'llama3', messages: [{ role: 'user', content: 'Hi' }] })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({
      error: { message: 'The model "llama3" does not exist; this server runs "stories260K".', code: 'model_not_found' },
    })
  })

  it("answers 502 with the server's sentence when the server fails", async () => {
    await call('bridge.configure', { mode: 'server', kind: 'openai', url: `${scripted.origin}/v1`, model: 'flaky', apiKey: null })
    const failed = await ask('/v1/chat/completions', { model: 'flaky', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 8 })
    expect(failed.status).toBe(502)
    expect(await failed.json()).toMatchObject({
      error: { message: 'The inference server failed (503): Loading model.', type: 'server_error' },
    })
  })
})
