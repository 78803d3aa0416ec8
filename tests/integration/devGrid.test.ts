import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startDevGrid, type DevGrid, type DevGridOptions } from '../support/devGrid/index.js'

const KEY = 'dev-key-alice'
const MODEL = 'koboldcpp/stories260K'

const grids: DevGrid[] = []
const sockets: WebSocket[] = []

async function grid(options: DevGridOptions = {}): Promise<DevGrid> {
  const started = await startDevGrid(options)
  grids.push(started)
  return started
}

afterEach(async () => {
  sockets.splice(0).forEach((ws) => ws.terminate())
  await Promise.all(grids.splice(0).map((g) => g.close()))
})

async function post(g: DevGrid, path: string, body: unknown, headers: Record<string, string> = { apikey: KEY }) {
  const response = await fetch(g.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: json as Record<string, unknown>,
  }
}

const popBody = (extra: Record<string, unknown> = {}) => ({
  name: 'test-rig',
  models: [MODEL],
  max_length: 512,
  max_context_length: 4096,
  bridge_agent: 'GridForge:0.1.0:https://example.invalid',
  ...extra,
})

/** A scripted AIPG worker: keeps every frame the grid sends and the close code. */
class FakeWorker {
  readonly frames: Array<Record<string, unknown>> = []
  closed: { code: number; reason: string } | undefined
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as Record<string, unknown>))
    ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }))
  }

  static async connect(g: DevGrid, registration?: Record<string, unknown>): Promise<FakeWorker> {
    const ws = new WebSocket(g.wsUrl)
    sockets.push(ws)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    const worker = new FakeWorker(ws)
    if (registration) worker.send(registration)
    return worker
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  async next(type: string, g: DevGrid, after = 0): Promise<Record<string, unknown>> {
    await g.waitFor(() => this.frames.slice(after).some((f) => f.type === type), 5000, `a ${type} frame`)
    return this.frames.slice(after).find((f) => f.type === type)!
  }

  async closedWith(g: DevGrid): Promise<{ code: number; reason: string }> {
    await g.waitFor(() => this.closed !== undefined, 5000, 'the socket to close')
    return this.closed!
  }
}

const register = (extra: Record<string, unknown> = {}) => ({
  apikey: KEY,
  name: 'ws-rig',
  models: ['grid/stories260K'],
  max_length: 512,
  max_context_length: 2048,
  bridge_agent: 'GridForge:0.1.0:https://example.invalid',
  ...extra,
})

const chat = (content = 'Tell me a story.') => ({
  model: 'grid/stories260K',
  messages: [{ role: 'user', content }],
  max_tokens: 64,
})

describe('dev grid: AI Horde REST', () => {
  it('answers a pop with no work in the exact marshalled shape', async () => {
    const g = await grid()
    const answer = await post(g, '/api/v2/generate/text/pop', popBody())
    expect(answer.status).toBe(200)
    expect(answer.headers.get('horde-node')).toMatch(/^devgrid:\d+:5\.1\.5$/)
    expect(answer.json).toEqual({
      payload: {
        max_context_length: 2048,
        max_length: 80,
        min_p: 0,
        smoothing_factor: 0,
        dynatemp_range: 0,
        dynatemp_exponent: 1,
      },
      id: null,
      ids: [],
      messages: [],
      ttl: null,
      extra_source_images: null,
      skipped: {},
      softprompt: null,
      model: null,
    })
    expect(g.horde.pops[0]?.headers.apikey).toBe(KEY)
  })

  it('hands out a job with defaults filled, pays the submit, and refuses a second one', async () => {
    const g = await grid({ reward: ({ tokens }) => tokens / 10 })
    const [id] = g.enqueueHorde({
      models: [MODEL],
      payload: { prompt: 'Once upon a time', max_length: 64 },
    })
    const pop = await post(g, '/api/v2/generate/text/pop', popBody({ models: ['other/model', MODEL] }))
    expect(pop.json).toMatchObject({
      id,
      ids: [id],
      model: MODEL,
      ttl: 150,
      messages: [],
      skipped: {},
      softprompt: null,
      payload: {
        prompt: 'Once upon a time',
        n: 1,
        max_length: 64,
        max_context_length: 2048,
        min_p: 0,
        dynatemp_exponent: 1,
      },
    })

    const ok = await post(g, '/api/v2/generate/text/submit', {
      id,
      generation: 'x'.repeat(100),
      state: 'ok',
    })
    // 100 characters are 25 estimated tokens (§12), and the reward function gets that count.
    expect(ok).toMatchObject({ status: 200, json: { reward: 2.5 } })
    const again = await post(g, '/api/v2/generate/text/submit', {
      id,
      generation: 'x',
      state: 'ok',
    })
    expect(again).toMatchObject({ status: 400, json: { rc: 'DuplicateGen' } })
    const unknown = await post(g, '/api/v2/generate/text/submit', {
      id: '00000000-0000-0000-0000-000000000000',
      generation: 'x',
    })
    expect(unknown).toMatchObject({ status: 404, json: { rc: 'InvalidJobID' } })

    const user = await (await fetch(`${g.url}/api/v2/find_user`, { headers: { apikey: KEY } })).json()
    expect(user).toMatchObject({ username: 'alice#1', id: 1, kudos: 2.5 })
    const workerId = (user as { worker_ids: string[] }).worker_ids[0]
    const details = await (await fetch(`${g.url}/api/v2/workers/${workerId}`)).json()
    expect(details).toMatchObject({
      name: 'test-rig',
      type: 'text',
      online: true,
      requests_fulfilled: 1,
    })
    expect((details as { performance: string }).performance).toMatch(/^\d+\.\d tokens per second$/)
  })

  it('matches by model and length, batches with amount, and reports what it skipped', async () => {
    const g = await grid()
    g.enqueueHorde({ models: ['someone/else'], payload: { prompt: 'a' } })
    g.enqueueHorde({ payload: { prompt: 'b', max_length: 600, max_context_length: 1024 } })
    const ids = g.enqueueHorde({ payload: { prompt: 'c' }, n: 3 })
    const pop = await post(g, '/api/v2/generate/text/pop', popBody({ amount: 2 }))
    expect(pop.json).toMatchObject({ id: ids[0], ids: ids.slice(0, 2) })
    const rest = await post(g, '/api/v2/generate/text/pop', popBody({ amount: 5 }))
    expect(rest.json).toMatchObject({ ids: ids.slice(2) })
    const none = await post(g, '/api/v2/generate/text/pop', popBody())
    expect(none.json).toMatchObject({ id: null, skipped: { models: 1, max_length: 1 } })
  })

  it('faulted submits earn 0 and requeue; late submits are AbortedGen', async () => {
    const g = await grid({ hordeTtlSeconds: 0.2 })
    const [first] = g.enqueueHorde({ payload: { prompt: 'p' } })
    await post(g, '/api/v2/generate/text/pop', popBody())
    const faulted = await post(g, '/api/v2/generate/text/submit', {
      id: first,
      generation: 'faulted',
      state: 'faulted',
    })
    expect(faulted).toMatchObject({ status: 200, json: { reward: 0 } })

    const second = await post(g, '/api/v2/generate/text/pop', popBody())
    const secondId = second.json.id as string
    expect(secondId).toBeTruthy()
    expect(secondId).not.toBe(first)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const late = await post(g, '/api/v2/generate/text/submit', { id: secondId, generation: 'late' })
    expect(late).toMatchObject({ status: 400, json: { rc: 'AbortedGen' } })
    const third = await post(g, '/api/v2/generate/text/pop', popBody())
    expect(third.json.id).toEqual(expect.any(String))
  })

  it('answers configuration and auth problems with the documented shapes', async () => {
    const g = await grid({ ownedNames: { 'taken-name': 'bob#2' } })
    const pop = (body: unknown, headers?: Record<string, string>) => post(g, '/api/v2/generate/text/pop', body, headers)
    expect((await pop(popBody(), {})).json).toEqual({
      errors: { apikey: 'Missing required parameter in the HTTP headers' },
      message: 'Input payload validation failed',
    })
    expect(await pop(popBody(), { apikey: 'nope' })).toMatchObject({
      status: 401,
      json: { rc: 'InvalidAPIKey' },
    })
    expect(await pop(popBody(), { apikey: '0000000000' })).toMatchObject({
      status: 403,
      json: { rc: 'AnonForbiddenWorker' },
    })
    expect(await pop(popBody({ name: 'taken-name' }))).toMatchObject({
      status: 403,
      json: { rc: 'WrongCredentials' },
    })
    expect(await pop(popBody({ models: [] }))).toMatchObject({
      status: 400,
      json: {
        rc: 'BadRequest',
        message: 'Unfortunately we cannot accept workers serving unrecognised models at this time',
      },
    })
    const noName = await pop({ models: [MODEL] })
    expect(noName).toMatchObject({
      status: 400,
      json: { errors: { name: "'name' is a required property" } },
    })
    expect(noName.json.rc).toBeUndefined()

    const submit = await post(g, '/api/v2/generate/text/submit', { id: 'x', state: 'faulted' })
    expect(submit).toMatchObject({
      status: 400,
      json: { errors: { generation: expect.any(String) } },
    })
    const badState = await post(g, '/api/v2/generate/text/submit', {
      id: 'x',
      generation: '',
      state: 'meh',
    })
    expect(badState).toMatchObject({
      status: 400,
      json: { message: 'Input payload validation failed' },
    })

    const unknownRoute = await fetch(`${g.url}/api/v2/nope`)
    expect(unknownRoute.status).toBe(404)
    expect(unknownRoute.headers.get('content-type')).toContain('text/html')
  })

  it('rate-limits pops above 60 per second with Retry-After', async () => {
    const g = await grid()
    const answers = await Promise.all(Array.from({ length: 70 }, () => post(g, '/api/v2/generate/text/pop', popBody())))
    const limited = answers.filter((answer) => answer.status === 429)
    // 70 requests on loopback land well inside one second: the first 60 pass, the rest wait.
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(60)
    expect(limited.length).toBeGreaterThan(0)
    expect(limited[0]?.json).toEqual({ message: '60 per 1 second' })
    expect(limited[0]?.headers.get('retry-after')).toBe('1')
    expect(g.requests.filter((request) => request.path === '/api/v2/generate/text/pop')).toHaveLength(70)
  })

  it('serves canned faults once each, and a down grid answers HTML 503', async () => {
    const g = await grid()
    g.faults.hordePop.push({ status: 502, raw: '<html>Bad gateway</html>' }, { status: 200, raw: '{"id": ' })
    const first = await post(g, '/api/v2/generate/text/pop', popBody())
    expect(first).toMatchObject({ status: 502, text: '<html>Bad gateway</html>' })
    expect((await post(g, '/api/v2/generate/text/pop', popBody())).text).toBe('{"id": ')
    expect((await post(g, '/api/v2/generate/text/pop', popBody())).json.id).toBeNull()

    g.faults.down = true
    const down = await post(g, '/api/v2/generate/text/pop', popBody())
    expect(down.status).toBe(503)
    expect(down.text).toContain('<html>')
    const ws = new WebSocket(g.wsUrl)
    sockets.push(ws)
    const refused = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.once('error', () => resolve(-1))
    })
    expect(refused).toBe(503)
    g.faults.down = false
    expect((await post(g, '/api/v2/generate/text/pop', popBody())).status).toBe(200)
  })

  it('answers 410 Gone on /api/v2 in aipg mode, and has no WebSocket in horde mode', async () => {
    const aipg = await grid({ mode: 'aipg' })
    const gone = await post(aipg, '/api/v2/generate/text/pop', popBody())
    expect(gone.status).toBe(410)
    expect(gone.headers.get('content-type')).toContain('text/plain')
    expect((await fetch(`${aipg.url}/health`)).status).toBe(200)

    const horde = await grid({ mode: 'horde' })
    const ws = new WebSocket(horde.wsUrl)
    sockets.push(ws)
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.once('error', () => resolve(-1))
    })
    expect(status).toBe(404)
    expect((await fetch(`${horde.url}/v1/models`)).status).toBe(404)
  })
})

describe('dev grid: AIPG WebSocket', () => {
  it('registers, pushes a job, records tokens and acks done with den', async () => {
    const g = await grid({ reward: () => 1.25 })
    const worker = await FakeWorker.connect(g, register())
    const ready = await worker.next('ready', g)
    expect(ready.worker_id).toEqual(expect.any(String))
    expect(g.aipg.registrations[0]).toMatchObject({ name: 'ws-rig', apikey: KEY })

    const models = await (await fetch(`${g.url}/v1/models`)).json()
    expect(models).toMatchObject({
      object: 'list',
      data: expect.arrayContaining([expect.objectContaining({ id: 'grid/stories260K' })]),
    })

    const id = g.enqueueAipg({ model: 'grid/stories260K', request: chat('Hello there') })
    const job = await worker.next('job', g)
    expect(job).toMatchObject({
      id,
      model: 'grid/stories260K',
      payload: {
        api_format: 'openai-chat',
        prompt: 'User: Hello there\nAssistant:',
        max_length: 64,
        request: { messages: [{ role: 'user', content: 'Hello there' }], seed: expect.any(Number) },
      },
    })
    worker.send({ type: 'token', id, delta: { content: 'Once' }, finish_reason: null })
    worker.send({ type: 'token', id, delta: { content: ' upon' }, finish_reason: null })
    worker.send('not json')
    worker.send({
      type: 'done',
      id,
      full_text: 'Once upon',
      full_reasoning: '',
      finish_reason: 'stop',
    })
    const ack = await worker.next('ack', g)
    expect(ack).toEqual({ type: 'ack', id, den: 1.25 })
    expect(g.aipg.results.get(id)).toMatchObject({
      tokens: [{ delta: { content: 'Once' } }, {}],
      acked: 1.25,
    })
    expect(g.aipg.frames.some((entry) => entry.frame.malformed === 'not json')).toBe(true)

    const account = await (await fetch(`${g.url}/v1/account/workers`, { headers: { Authorization: `Bearer ${KEY}` } })).json()
    expect(account).toMatchObject({ count: 1, online: 1, jobs_completed: 1, den_earned: 1.25 })
  })

  it('pings idle workers and counts pongs', async () => {
    const g = await grid({ pingIntervalMs: 50 })
    const worker = await FakeWorker.connect(g, register())
    await worker.next('ping', g)
    worker.send({ type: 'pong' })
    await g.waitFor(() => g.aipg.pongs === 1, 2000, 'a pong')
  })

  it('closes 4001 for missing or unknown keys and 4003 for scope and owned names', async () => {
    const g = await grid({
      keys: {
        [KEY]: { user: 'alice#1', scopes: ['worker.connect'] },
        'read-only': { user: 'carol#3', scopes: ['inference.read'] },
      },
      ownedNames: { 'taken-name': 'bob#2' },
    })
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ name: 'x' }, 4001, 'Missing apikey or name'],
      [register({ apikey: 'wrong' }), 4001, 'Invalid API key'],
      [register({ apikey: 'read-only' }), 4003, 'API key lacks worker.connect scope'],
      [register({ name: 'taken-name' }), 4003, 'worker name already registered to another account'],
    ]
    for (const [registration, code, message] of cases) {
      const worker = await FakeWorker.connect(g, registration)
      expect(await worker.closedWith(g)).toMatchObject({ code })
      expect(worker.frames).toEqual([{ type: 'error', message }])
    }
  })

  it('closes the older connection with 1012 when the same name registers again', async () => {
    const g = await grid()
    const first = await FakeWorker.connect(g, register())
    await first.next('ready', g)
    const second = await FakeWorker.connect(g, register())
    await second.next('ready', g)
    expect((await first.closedWith(g)).code).toBe(1012)
  })

  it('sends cancel after the Nth token; the partial done still settles', async () => {
    const g = await grid()
    g.faults.cancelAfterTokens = 2
    const worker = await FakeWorker.connect(g, register())
    const id = g.enqueueAipg({ request: chat() })
    await worker.next('job', g)
    worker.send({ type: 'token', id, delta: { content: 'a' } })
    worker.send({ type: 'token', id, delta: { content: 'b' } })
    expect(await worker.next('cancel', g)).toEqual({ type: 'cancel', id })
    expect(g.faults.cancelAfterTokens).toBeNull()
    worker.send({ type: 'done', id, full_text: 'ab', finish_reason: 'stop', cancelled: true })
    expect((await worker.next('ack', g)).den).toBeGreaterThan(0)
  })

  it('requeues a job whose worker dropped mid-stream', async () => {
    const g = await grid()
    g.faults.dropAfterTokens = 1
    const first = await FakeWorker.connect(g, register())
    const id = g.enqueueAipg({ request: chat() })
    await first.next('job', g)
    first.send({ type: 'token', id, delta: { content: 'a' } })
    expect((await first.closedWith(g)).code).toBe(1006)

    const second = await FakeWorker.connect(g, register({ name: 'other-rig' }))
    const job = await second.next('job', g)
    expect(job.id).toBe(id)
    second.send({ type: 'done', id, full_text: 'a whole story', finish_reason: 'stop' })
    await second.next('ack', g)
    expect(g.aipg.results.get(id)).toMatchObject({
      attempts: 2,
      done: { full_text: 'a whole story' },
    })
  })

  it('cuts live sockets when the grid goes down, and requeues their jobs', async () => {
    const g = await grid()
    const worker = await FakeWorker.connect(g, register())
    const id = g.enqueueAipg({ request: chat() })
    await worker.next('job', g)
    g.faults.down = true
    expect((await worker.closedWith(g)).code).toBe(1006)
    expect(g.pendingJobs().aipg).toBe(1)
    expect(g.aipg.results.get(id)?.attempts).toBe(1)
  })

  it('strikes an error frame, acks it with den 0 and requeues work that streamed nothing', async () => {
    const g = await grid()
    const worker = await FakeWorker.connect(g, register())
    const id = g.enqueueAipg({ request: chat() })
    await worker.next('job', g)
    worker.send({ type: 'error', id, message: 'backend down', client_error: false })
    expect(await worker.next('ack', g)).toEqual({ type: 'ack', id, den: 0 })
    expect(g.aipg.strikes.get('ws-rig')).toBe(1)
    const firstJob = worker.frames.findIndex((frame) => frame.type === 'job')
    const again = await worker.next('job', g, firstJob + 1)
    expect(again.id).toBe(id)
  })

  it('relays a worker stream to a chat-completions client as SSE', async () => {
    const g = await grid()
    const worker = await FakeWorker.connect(g, register())
    await worker.next('ready', g)
    const response = fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ ...chat(), stream: true }),
    })
    const job = await worker.next('job', g)
    worker.send({ type: 'token', id: job.id, delta: { content: 'Hi' } })
    worker.send({ type: 'done', id: job.id, full_text: 'Hi', finish_reason: 'stop' })
    const text = await (await response).text()
    expect(text).toContain('"delta":{"content":"Hi"}')
    expect(text.trim().endsWith('data: [DONE]')).toBe(true)

    const none = await post(g, '/v1/chat/completions', { ...chat(), model: 'nobody/serves-this' }, { Authorization: `Bearer ${KEY}` })
    expect(none.status).toBe(503)
  })
})
