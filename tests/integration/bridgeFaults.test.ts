import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { GenerateRequest, ToolCallDelta } from '../../src/shared/generation.js'
import { BackendError } from '../../src/worker/bridge/backendError.js'
import type { BackendConfig } from '../../src/worker/bridge/backendTypes.js'
import { openBridge } from '../../src/worker/bridge/bridge.js'
import { createWorker } from '../../src/worker/jobLoop.js'
import { BadJobRequest } from '../../src/worker/params.js'
import { startDevGrid } from '../support/devGrid/index.js'
import { MemoryLedger } from '../support/workerFakes.js'

/** A scripted OpenAI-compatible server: each test says how it answers; every request is kept. */
type Route = (request: IncomingMessage, body: Record<string, unknown>, response: ServerResponse) => void
let routes: Record<string, Route> = {}
const seen: Array<{ path: string; body: Record<string, unknown>; authorization: string | undefined }> = []
let server: Server
let url = ''

beforeAll(async () => {
  server = createServer((request, response) => {
    let raw = ''
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()))
    request.on('end', () => {
      const path = request.url ?? '/'
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
      seen.push({ path, body, authorization: request.headers.authorization })
      const route = routes[path]
      if (!route) return void response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no such route"}}')
      route(request, body, response)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
beforeEach(() => {
  seen.length = 0
  routes = healthyServer()
})

const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
const sse = (response: ServerResponse, events: unknown[], done = true) => {
  response.writeHead(200, { 'content-type': 'text/event-stream' })
  for (const event of events) response.write(`data: ${JSON.stringify(event)}\n\n`)
  if (done) response.end('data: [DONE]\n\n')
}
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ choices: [{ index: 0, delta, finish_reason: finish }] })

/** A llama.cpp-like server that streams, takes tools and schemas, and reports its context in /props. */
function healthyServer(): Record<string, Route> {
  return {
    '/v1/models': (_q, _b, r) => json(r, 200, { object: 'list', data: [{ id: 'tiny', object: 'model' }] }),
    '/props': (_q, _b, r) => json(r, 200, { default_generation_settings: { n_ctx: 4096 } }),
    '/v1/chat/completions': (_q, body, r) => {
      if (body.stream) return sse(r, [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hi' }, 'stop')])
      json(r, 200, { choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }] })
    },
  }
}

const config = (overrides: Partial<BackendConfig> = {}): BackendConfig => ({
  kind: 'openai',
  url: `${url}/v1`,
  model: 'tiny',
  key: 'sk-backend-secret-123',
  ...overrides,
  // The outage wait has its own tests (bridgeOutage.test.ts); here each fault reaches the job at once.
  timeouts: { recoveryMs: 0, ...overrides.timeouts },
})
const chat = (extra: Partial<Extract<GenerateRequest, { kind: 'chat' }>> = {}): GenerateRequest => ({
  kind: 'chat',
  turns: [{ role: 'user', content: 'Hello' }],
  params: { maxTokens: 16, stop: ['\n\n'] },
  ...extra,
})

describe('a bridged OpenAI server', () => {
  it('probes streaming, tools, response_format and the context from /props, sending the key as a bearer token', async () => {
    const bridge = await openBridge(config())
    expect(bridge.capabilities).toEqual({
      streaming: true,
      tools: true,
      responseFormat: true,
      contextLength: 4096,
      contextSource: '/props',
    })
    expect(seen.every((request) => request.authorization === 'Bearer sk-backend-secret-123')).toBe(true)
  })

  it('passes tools, response_format and stop through and streams content, reasoning and tool calls back', async () => {
    const bridge = await openBridge(config())
    routes['/v1/chat/completions'] = (_q, _b, r) =>
      sse(r, [
        chunk({ reasoning_content: 'thinking' }),
        chunk({ content: 'Let me check.' }),
        chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"UTC"}' } }] }),
        chunk({}, 'tool_calls'),
        { choices: [], usage: { prompt_tokens: 11, completion_tokens: 7 } },
      ])
    const pieces: ToolCallDelta[] = []
    let text = ''
    let reasoning = ''
    const result = await bridge.engine.generate(
      chat({ tools: [{ name: 'get_time', parameters: { type: 'object' } }], toolChoice: 'auto', responseFormat: { type: 'json_object' } }),
      { onText: (piece) => (text += piece), onReasoning: (piece) => (reasoning += piece), onToolCall: (delta) => pieces.push(delta) },
    )
    const sent = seen.at(-1)!.body
    expect(sent).toMatchObject({
      model: 'tiny',
      stream: true,
      stop: ['\n\n'],
      tool_choice: 'auto',
      response_format: { type: 'json_object' },
    })
    expect(sent.tools).toEqual([{ type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } }])
    expect({ text, reasoning }).toEqual({ text: 'Let me check.', reasoning: 'thinking' })
    expect(pieces.map((p) => [p.id, p.name, p.argumentsText])).toEqual([
      ['call_a', 'get_time', '{"tz":'],
      ['call_a', 'get_time', '"UTC"}'],
    ])
    expect(result).toMatchObject({
      text: 'Let me check.',
      reasoning: 'thinking',
      finishReason: 'tool-calls',
      promptTokens: 11,
      completionTokens: 7,
    })
    expect(result.toolCalls).toEqual([{ id: 'call_a', name: 'get_time', arguments: '{"tz":"UTC"}' }])
  })

  it("refuses tools and response_format as the request's fault when the server refused them in the probe", async () => {
    routes['/v1/chat/completions'] = (_q, body, r) => {
      if (body.tools || body.response_format) return json(r, 500, { error: { message: 'tools param requires --jinja flag' } })
      healthyServer()['/v1/chat/completions']!(_q, body, r)
    }
    const bridge = await openBridge(config())
    expect(bridge.capabilities).toMatchObject({ streaming: true, tools: false, responseFormat: false })
    await expect(bridge.engine.generate(chat({ tools: [{ name: 'f' }] }), {})).rejects.toThrow(BadJobRequest)
    await expect(bridge.engine.generate(chat({ responseFormat: { type: 'json_object' } }), {})).rejects.toThrow(
      /does not accept response_format/,
    )
    expect((await bridge.engine.generate(chat(), {})).text).toBe('Hi')
  })

  it.each([
    [
      'a web page instead of the API',
      {
        '/v1/models': (_q: IncomingMessage, _b: unknown, r: ServerResponse) =>
          r.writeHead(200, { 'content-type': 'text/html' }).end('<html>router login</html>'),
      },
      /web page/,
    ],
    ['a model it does not have', {}, /does not serve "llama3"; it serves tiny/],
    [
      'a key it refuses',
      { '/v1/models': (_q: IncomingMessage, _b: unknown, r: ServerResponse) => json(r, 401, { error: { message: 'bad key' } }) },
      /refused the backend key/,
    ],
  ])('does not start on %s, with one sentence that never shows the key', async (_name, override, message) => {
    Object.assign(routes, override)
    const error = await openBridge(config({ model: _name === 'a model it does not have' ? 'llama3' : 'tiny' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BackendError)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).not.toContain('sk-backend-secret-123')
  })

  it('takes a model name without the :latest tag Ollama lists it with', async () => {
    routes['/v1/models'] = (_q, _b, r) => json(r, 200, { object: 'list', data: [{ id: 'llama3:latest' }] })
    await expect(openBridge(config({ model: 'llama3' }))).resolves.toMatchObject({ capabilities: { streaming: true } })
    await expect(openBridge(config({ model: 'llama' }))).rejects.toThrow(/does not serve "llama"; it serves llama3:latest/)
  })

  it('does not start on a URL where nothing listens', async () => {
    await expect(openBridge(config({ url: 'http://127.0.0.1:9/v1' }))).rejects.toThrow(
      /Could not reach the inference server at http:\/\/127\.0\.0\.1:9/,
    )
  })

  it.each([
    [
      'drops mid-stream',
      (_q: IncomingMessage, _b: unknown, r: ServerResponse) => {
        sse(r, [chunk({ content: 'Once' })], false)
        setTimeout(() => r.socket?.destroy(), 20)
      },
      'dropped',
      /closed the (connection|stream) before the reply was finished/,
    ],
    [
      'ends the stream without finishing',
      (_q: IncomingMessage, _b: unknown, r: ServerResponse) => {
        sse(r, [chunk({ content: 'Once' })], false)
        r.end()
      },
      'dropped',
      /before the reply was finished/,
    ],
    [
      'answers 500',
      (_q: IncomingMessage, _b: unknown, r: ServerResponse) => json(r, 500, { error: { message: 'CUDA out of memory' } }),
      'server-error',
      /failed \(500\): CUDA out of memory/,
    ],
    [
      'streams garbage',
      (_q: IncomingMessage, _b: unknown, r: ServerResponse) => {
        r.writeHead(200, { 'content-type': 'text/event-stream' })
        r.end('data: {not json\n\n')
      },
      'garbage',
      /not JSON/,
    ],
    [
      'answers a web page',
      (_q: IncomingMessage, _b: unknown, r: ServerResponse) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html>502</html>'),
      'garbage',
      /web page/,
    ],
  ])('gives the job a clear error and closes the health gate when the server %s', async (_name, route, failure, message) => {
    const bridge = await openBridge(config())
    await bridge.health.check()
    expect(bridge.health.gate.isOpen()).toBe(true)
    routes['/v1/chat/completions'] = route
    const error = await bridge.engine.generate(chat(), {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BackendError)
    expect(error).toMatchObject({ failure, code: 'ENGINE_CRASHED' })
    expect((error as Error).message).toMatch(message)
    expect(bridge.health.gate.isOpen()).toBe(false)
    expect(bridge.health.gate.reason?.()).toBe((error as Error).message)
  })

  it('cuts off a server that streams past the reply length and never ends, and closes the connection', async () => {
    const bridge = await openBridge(config())
    let closed = false
    routes['/v1/chat/completions'] = (_q, _b, r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' })
      const timer = setInterval(() => r.write(`data: ${JSON.stringify(chunk({ content: 'again ' }))}\n\n`), 1)
      r.on('close', () => {
        closed = true
        clearInterval(timer)
      })
    }
    await expect(bridge.engine.generate(chat(), {})).rejects.toMatchObject({
      failure: 'garbage',
      message: expect.stringMatching(/kept streaming past the reply length/),
    })
    await vi.waitFor(() => expect(closed).toBe(true))
  })

  it('waits as long as a 429 asks before checking the server again', async () => {
    const bridge = await openBridge(config())
    routes['/v1/chat/completions'] = (_q, _b, r) => json(r, 429, { error: { message: 'too many requests' } }, { 'retry-after': '42' })
    const error = await bridge.engine.generate(chat(), {}).catch((e: unknown) => e)
    expect(error).toMatchObject({ failure: 'rate-limited', retryAfterMs: 42_000 })
    expect(bridge.health.gate.reason?.()).toMatch(/busy \(429\): too many requests/)
  })

  it("answers other 4xx (a prompt past a context the server lied about) as the request's fault, leaving the gate open", async () => {
    const bridge = await openBridge(config())
    expect(bridge.capabilities.contextLength).toBe(4096)
    await bridge.health.check()
    routes['/v1/chat/completions'] = (_q, _b, r) => json(r, 400, { error: { message: 'the request exceeds the available context size' } })
    await expect(bridge.engine.generate(chat(), {})).rejects.toThrow(
      new BadJobRequest('The inference server refused the request (400): the request exceeds the available context size.'),
    )
    expect(bridge.health.gate.isOpen()).toBe(true)
  })

  it('times out a server that never sends the first byte, and one that stalls mid-reply', async () => {
    const bridge = await openBridge(config({ timeouts: { firstByteMs: 150, idleMs: 150 } }))
    routes['/v1/chat/completions'] = () => undefined
    await expect(bridge.engine.generate(chat(), {})).rejects.toMatchObject({
      failure: 'timeout',
      message: expect.stringMatching(/did not answer within/),
    })
    routes['/v1/chat/completions'] = (_q, _b, r) => sse(r, [chunk({ content: 'Once' })], false)
    await expect(bridge.engine.generate(chat(), {})).rejects.toMatchObject({
      failure: 'timeout',
      message: expect.stringMatching(/stopped sending/),
    })
  })

  it('stops on abort with the partial text', async () => {
    const bridge = await openBridge(config())
    routes['/v1/chat/completions'] = (_q, _b, r) => sse(r, [chunk({ content: 'Once upon' })], false)
    const abort = new AbortController()
    const result = await bridge.engine.generate(chat(), { signal: abort.signal, onText: () => abort.abort() })
    expect(result).toMatchObject({ text: 'Once upon', finishReason: 'abort' })
  })
})

describe('the health gate of a bridged worker', () => {
  it('never registers with the grid while the server does not serve, shows why, and resumes when it is back', async () => {
    const bridge = await openBridge(config())
    const healthy = routes['/v1/models']!
    routes['/v1/models'] = (_q, _b, r) => json(r, 503, { error: { message: 'Loading model' } })
    await bridge.health.check()
    const grid = await startDevGrid({ mode: 'aipg' })
    const jobId = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Hello' }], max_tokens: 8 } })
    const worker = createWorker(
      {
        network: 'aipg',
        gridUrl: grid.url,
        apiKey: 'dev-key-alice',
        name: 'bridge-gate',
        models: ['grid/tiny'],
        slots: 1,
        maxLength: 64,
        maxContextLength: 256,
        maxJobs: 1,
        agent: 'GridForge:0.0.0-test:x',
      },
      { engine: bridge.engine, ledger: new MemoryLedger(), gate: bridge.health.gate },
    )
    const states: Array<{ state: string; detail: string | null }> = []
    const paused = new Promise<void>((resolve) =>
      worker.subscribe((event) => {
        if (event.type !== 'state') return
        states.push({ state: event.state, detail: event.detail })
        if (event.state === 'paused') resolve()
      }),
    )
    const run = worker.run()
    try {
      await paused
      expect(states.at(-1)).toEqual({ state: 'paused', detail: 'The inference server failed (503): Loading model.' })
      expect(grid.aipg.registrations).toEqual([])
      routes['/v1/models'] = healthy
      await bridge.health.check()
      await grid.waitFor(() => grid.aipg.results.get(jobId)?.done !== undefined, 10_000, 'the job answered')
      expect(grid.aipg.registrations).toHaveLength(1)
      expect(grid.aipg.results.get(jobId)!.text).toBe('Hi')
      expect(await run).toMatchObject({ reason: 'max-jobs' })
    } finally {
      worker.stop()
      worker.stop()
      await run
      grid.close()
    }
  })
})
