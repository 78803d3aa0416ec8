import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { startLocalApi, type LocalApi } from '../../src/main/localApi/localApiServer.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
const token = 'gf-test-token-0123456789'
let engine: EngineSupervisor
let api: LocalApi
let localUses = 0
let openai: OpenAI

beforeAll(async () => {
  requireBuild()
  engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), sequences: 2 })
  await engine.load(temp.model)
  api = await startLocalApi(engine, () => (localUses++, () => undefined), { host: '127.0.0.1', port: 0, token, maxActive: 1, maxQueued: 2 })
  openai = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: token, maxRetries: 0 })
})
afterAll(async () => {
  await api.close()
  await engine.close()
  temp.cleanup()
})

const post = (path: string, body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${token}` }) =>
  fetch(api.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

describe('the local API with the official openai client', () => {
  it('lists the loaded model', async () => {
    const models = await openai.models.list()
    expect(models.data.map((m) => m.id)).toEqual(['stories260K'])
  })

  it('answers chat completions with usage counts', async () => {
    const before = localUses
    const completion = await openai.chat.completions.create({
      model: 'stories260K',
      messages: [{ role: 'user', content: 'Once upon a time' }],
      max_tokens: 40,
      temperature: 0,
    })
    expect(completion.object).toBe('chat.completion')
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(10)
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0)
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(40)
    expect(localUses).toBeGreaterThan(before)
  })

  it('streams chat completions as SSE chunks, with a usage chunk when asked', async () => {
    const stream = await openai.chat.completions.create({
      model: 'stories260K',
      messages: [{ role: 'user', content: 'Once upon a time' }],
      max_tokens: 120,
      stream: true,
      stream_options: { include_usage: true },
    })
    const pieces: string[] = []
    let finish: string | null = null
    let completionTokens = 0
    for await (const chunk of stream) {
      const choice = chunk.choices[0]
      if (choice?.delta.content) pieces.push(choice.delta.content)
      if (choice?.finish_reason) finish = choice.finish_reason
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens
    }
    expect(pieces.length).toBeGreaterThan(1)
    expect(pieces.join('').length).toBeGreaterThan(20)
    expect(finish).toMatch(/stop|length/)
    expect(completionTokens).toBeGreaterThan(0)
  })

  it('answers text completions, streaming and not', async () => {
    const completion = await openai.completions.create({ model: 'stories260K', prompt: 'Once upon a time', max_tokens: 24, temperature: 0 })
    expect(completion.choices[0]!.text.length).toBeGreaterThan(5)
    const stream = await openai.completions.create({ model: 'stories260K', prompt: 'Once upon a time', max_tokens: 24, stream: true })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? ''
    expect(text.length).toBeGreaterThan(5)
  })

  it('gives OpenAI-shaped errors the client understands', async () => {
    await expect(openai.chat.completions.create({ model: 'gpt-17', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    })
    await expect(
      openai.chat.completions.create({ model: 'stories260K', messages: [{ role: 'user', content: 'x' }], max_tokens: 1e9 }),
    ).rejects.toMatchObject({ status: 400, param: 'max_tokens' })
    await expect(openai.chat.completions.create({ model: 'stories260K', messages: [] })).rejects.toMatchObject({ status: 400 })
    const wrong = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: 'wrong', maxRetries: 0 })
    await expect(wrong.models.list()).rejects.toMatchObject({ status: 401 })
  })
})

describe('the local API by plain HTTP', () => {
  it('speaks KoboldAI: model, version, generate and its SSE stream', async () => {
    const auth = { Authorization: `Bearer ${token}` }
    expect(await (await fetch(`${api.url}/api/v1/model`, { headers: auth })).json()).toEqual({ result: 'koboldcpp/stories260K' })
    expect(await (await fetch(`${api.url}/api/extra/version`, { headers: auth })).json()).toMatchObject({ result: 'KoboldCpp' })
    const generated = (await (
      await post('/api/v1/generate', { prompt: 'Once upon a time', max_length: 30, temperature: 0.5, rep_pen: 1.1, unknown_sampler: 3 })
    ).json()) as { results: Array<{ text: string }> }
    expect(generated.results[0]!.text.length).toBeGreaterThan(5)
    const stream = await (await post('/api/extra/generate/stream', { prompt: 'Once upon a time', max_length: 30 })).text()
    const tokens = [...stream.matchAll(/^event: message\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as { token: string })
    expect(tokens.length).toBeGreaterThan(1)
    expect(tokens.map((t) => t.token).join('').length).toBeGreaterThan(5)
  })

  it.each([
    ['invalid JSON', () => post('/v1/chat/completions', '{"messages": ['), 400],
    ['missing messages', () => post('/v1/chat/completions', { model: 'stories260K' }), 400],
    ['no token', () => post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] }, {}), 401],
    [
      'a wrong token',
      () => post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] }, { Authorization: 'Bearer nope' }),
      401,
    ],
    ['a body over the limit', () => post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x'.repeat(2_000_000) }] }), 413],
    ['a KoboldAI request without a prompt', () => post('/api/v1/generate', { max_length: 10 }), 400],
    ['a KoboldAI max_length that is not a number', () => post('/api/v1/generate', { prompt: 'Once', max_length: 'lots' }), 400],
    ['a KoboldAI temperature below zero', () => post('/api/v1/generate', { prompt: 'Once', max_length: 4, temperature: -1 }), 400],
    ['a KoboldAI top_p above one', () => post('/api/extra/generate/stream', { prompt: 'Once', max_length: 4, top_p: 7 }), 400],
    [
      'a KoboldAI stop_sequence that is not a list',
      () => post('/api/v1/generate', { prompt: 'Once', max_length: 4, stop_sequence: 'The end' }),
      400,
    ],
    ['an unknown route', () => post('/v1/embeddings', { input: 'x' }), 404],
  ])('answers %s with %i and keeps serving', async (_name, send, status) => {
    expect((await send()).status).toBe(status)
    expect((await openai.models.list()).data).toHaveLength(1)
  })

  it('queues requests beyond its capacity and answers 429 with Retry-After when the queue is full', async () => {
    const body = { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 300 }
    const responses = await Promise.all(Array.from({ length: 6 }, () => post('/v1/chat/completions', body)))
    const statuses = responses.map((r) => r.status).sort()
    expect(statuses.filter((s) => s === 200)).toHaveLength(3)
    expect(statuses.filter((s) => s === 429)).toHaveLength(3)
    expect(responses.find((r) => r.status === 429)!.headers.get('retry-after')).toBe('2')
    expect((await openai.models.list()).data).toHaveLength(1)
  })
})

describe('CORS', () => {
  it('is off unless an origin is configured, and then allows only that origin', async () => {
    const preflight = (origin: string, url = api.url) =>
      fetch(`${url}/v1/models`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' } })
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull()
    const withCors = await startLocalApi(engine, () => () => undefined, {
      host: '127.0.0.1',
      port: 0,
      token,
      corsOrigins: ['http://localhost:8000'],
    })
    try {
      const allowed = await preflight('http://localhost:8000', withCors.url)
      expect(allowed.status).toBe(204)
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:8000')
      expect((await preflight('https://evil.example', withCors.url)).headers.get('access-control-allow-origin')).toBeNull()
    } finally {
      await withCors.close()
    }
  })
})
