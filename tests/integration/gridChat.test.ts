import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Message } from '../../src/shared/domain.js'
import type { GenerateRequest } from '../../src/shared/generation.js'
import type { ReplyStage } from '../../src/shared/gridChat.js'
import { aipgChat, aipgModels } from '../../src/main/chat/grid/aipgChat.js'
import { GridChatService } from '../../src/main/chat/grid/gridChatService.js'
import type { GridEndpoint } from '../../src/main/chat/grid/gridEndpoint.js'
import { hordeChat, hordeModels } from '../../src/main/chat/grid/hordeChat.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { freePort } from '../support/freePort.js'
import { DEV_KEY, HordeTestWorker, scriptedAipgWorker, type ScriptedAipgWorker } from '../support/gridChatWorkers.js'

const AIPG_MODEL = 'grid/test-model'
const HORDE_MODEL = 'koboldcpp/Qwen2.5-0.5B-Instruct'
const REPLY = 'Here is a **long** reply that streams in many small pieces, one after another.'

let grid: DevGrid
const workers: ScriptedAipgWorker[] = []

beforeAll(async () => {
  grid = await startDevGrid({ mode: 'both' })
})
afterEach(() => {
  workers.splice(0).forEach((worker) => worker.close())
  grid.faults.aipgChat = []
  grid.faults.hordeAsync = []
  grid.faults.hordeStatus = []
})
afterAll(() => grid.close())

const endpoint = (apiKey: string | null = DEV_KEY, baseUrl = grid.url): GridEndpoint => ({ baseUrl, apiKey, agent: 'GridForge:test:x' })
const chat = (content = 'Hello there'): GenerateRequest => ({
  kind: 'chat',
  turns: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content },
  ],
  params: { maxTokens: 256 },
})

/** Runs a generation and keeps what the handlers saw. */
async function run(source: ReturnType<typeof aipgChat>, signal?: AbortSignal) {
  const pieces: string[] = []
  const stages: ReplyStage[] = []
  const result = await source.generate(chat(), { signal, onText: (text) => pieces.push(text), onProgress: (stage) => stages.push(stage) })
  return { result, pieces, stages }
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected the call to fail')
}

describe('chat through the AIPG grid', () => {
  it('streams the reply as it is written and lists the grid models', async () => {
    workers.push(await scriptedAipgWorker(grid, { model: AIPG_MODEL, reply: REPLY }))
    const models = await aipgModels(endpoint())
    expect(models.map((model) => model.id)).toEqual(['auto', AIPG_MODEL])

    const { result, pieces } = await run(aipgChat(endpoint(), AIPG_MODEL))
    expect(pieces.length).toBeGreaterThan(5)
    expect(pieces.join('')).toBe(REPLY)
    expect(result).toMatchObject({ text: REPLY, finishReason: 'stop' })
    expect(workers[0]!.requests[0]).toMatchObject({
      model: AIPG_MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello there' },
      ],
    })
  })

  it("streams a reasoning model's thinking apart from its answer", async () => {
    const thinking = 'The user says hello; a short greeting back will do.'
    workers.push(await scriptedAipgWorker(grid, { model: AIPG_MODEL, reply: REPLY, thinking, name: 'thinking-rig' }))
    const thoughts: string[] = []
    const pieces: string[] = []
    const result = await aipgChat(endpoint(), AIPG_MODEL).generate(chat(), {
      onText: (text) => pieces.push(text),
      onReasoning: (text) => thoughts.push(text),
    })
    expect(thoughts.length).toBeGreaterThan(5)
    expect(thoughts.join('')).toBe(thinking)
    expect(pieces.join('')).toBe(REPLY)
    expect(result).toMatchObject({ text: REPLY, reasoning: thinking, finishReason: 'stop' })
  })

  it('stops mid-reply, keeping the words so far, and the grid cancels the job', async () => {
    const worker = await scriptedAipgWorker(grid, { model: AIPG_MODEL, reply: REPLY.repeat(20), tokenDelayMs: 20 })
    workers.push(worker)
    const controller = new AbortController()
    const pieces: string[] = []
    const result = await aipgChat(endpoint(), AIPG_MODEL).generate(chat(), {
      signal: controller.signal,
      onText: (text) => {
        pieces.push(text)
        if (pieces.length === 3) controller.abort()
      },
    })
    expect(result.finishReason).toBe('abort')
    expect(result.text).toBe(pieces.join(''))
    expect(result.text.length).toBeLessThan(REPLY.length)
    await grid.waitFor(() => [...grid.aipg.results.values()].some((r) => r.done?.cancelled === true), 5000, 'the cancelled job')
  })

  it('says in plain words why a reply could not be had', async () => {
    const source = aipgChat(endpoint(), AIPG_MODEL)
    expect(await failure(run(source))).toBe(
      'No AIPG grid worker is serving grid/test-model right now; pick another model or try again later.',
    )

    workers.push(await scriptedAipgWorker(grid, { model: AIPG_MODEL, reply: REPLY }))
    grid.faults.aipgChat.push({ status: 402, body: { detail: 'Payment required' } })
    expect(await failure(run(source))).toMatch(/^Your AIPG account has no credit left for chat/)
    grid.faults.aipgChat.push({
      status: 429,
      body: { error: { message: 'Rate limit exceeded. Please slow down.', type: 'rate_limit_error' } },
    })
    expect(await failure(run(source))).toMatch(/^The AIPG grid is limiting how often you can ask .*wait a few seconds/)
    expect(await failure(run(aipgChat(endpoint('wrong-key'), AIPG_MODEL)))).toBe(
      'The AIPG grid did not accept your API key; check it in Earn.',
    )
    expect(await failure(run(aipgChat(endpoint(null), AIPG_MODEL)))).toBe('Add your AIPG API key in Earn to chat through the AIPG grid.')
    const closed = `http://127.0.0.1:${await freePort()}`
    expect(await failure(run(aipgChat(endpoint(DEV_KEY, closed), AIPG_MODEL)))).toMatch(
      /^Could not reach the AIPG grid at 127\.0\.0\.1:\d+; check your internet connection/,
    )
  })
})

describe('chat through the AI Horde', () => {
  const fast = { pollMs: 30 }

  it("shows the queue position and wait, then the reply, written with the model's chat template", async () => {
    const worker = new HordeTestWorker(grid, HORDE_MODEL)
    expect(await worker.pop()).toBeNull()
    expect(await hordeModels(endpoint())).toEqual([{ id: HORDE_MODEL, workers: 1 }])
    grid.enqueueHorde({ models: [HORDE_MODEL], payload: { prompt: 'someone else first', max_length: 64 } })

    const stages: ReplyStage[] = []
    const pieces: string[] = []
    const reply = hordeChat(endpoint(), HORDE_MODEL, fast).generate(chat(), {
      onText: (text) => pieces.push(text),
      onProgress: (stage) => stages.push(stage),
    })
    await grid.waitFor(() => stages.length > 0, 5000, 'a progress report')
    expect(stages[0]).toMatchObject({ stage: 'queued', queuePosition: 1 })
    expect(stages[0]!.waitSeconds).toBeGreaterThan(0)

    const first = await worker.pop()
    expect(first?.prompt).toBe('someone else first')
    await worker.submit(first!.id, 'done')
    await grid.waitFor(() => stages.some((stage) => stage.queuePosition === 0), 5000, 'position 0')
    const ours = await worker.pop()
    expect(ours?.prompt).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n')
    expect(ours?.payload).toMatchObject({ max_length: 256, stop_sequence: ['<|im_end|>', '<|im_start|>'] })
    await worker.submit(ours!.id, 'General Kenobi!<|im_end|>')
    expect(await reply).toMatchObject({ text: 'General Kenobi!', finishReason: 'stop' })
    expect(pieces).toEqual(['General Kenobi!'])
  })

  it('rides out a passing server error while polling, and deletes the request when polling fails for good', async () => {
    const worker = new HordeTestWorker(grid, HORDE_MODEL)
    await worker.pop()
    grid.faults.hordeStatus.push({ status: 500, body: { message: 'oops' } })
    const blip = hordeChat(endpoint(), HORDE_MODEL, fast).generate(chat(), {})
    await grid.waitFor(() => grid.faults.hordeStatus.length === 0, 5000, 'the failed poll')
    const job = await worker.pop()
    await worker.submit(job!.id, 'Still here.')
    expect((await blip).text).toBe('Still here.')

    const deletes = () => grid.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith('/api/v2/generate/text/status/')).length
    const before = deletes()
    for (let i = 0; i < 4; i++) grid.faults.hordeStatus.push({ status: 500, body: { message: 'oops' } })
    const failed = failure(hordeChat(endpoint(), HORDE_MODEL, fast).generate(chat(), {}))
    expect(await failed).toMatch(/AI Horde/)
    expect(deletes()).toBe(before + 1)
    expect(await worker.pop()).toBeNull()
  })

  it('stop deletes the queued request, so no worker gets it', async () => {
    const worker = new HordeTestWorker(grid, HORDE_MODEL)
    await worker.pop()
    const controller = new AbortController()
    const stages: ReplyStage[] = []
    const reply = hordeChat(endpoint(), HORDE_MODEL, fast).generate(chat(), {
      signal: controller.signal,
      onProgress: (s) => stages.push(s),
    })
    await grid.waitFor(() => stages.length > 0, 5000, 'a progress report')
    controller.abort()
    expect(await reply).toMatchObject({ text: '', finishReason: 'abort' })
    expect(grid.requests.some((r) => r.method === 'DELETE' && r.path.startsWith('/api/v2/generate/text/status/'))).toBe(true)
    expect(await worker.pop()).toBeNull()
  })

  it('says in plain words why a reply could not be had', async () => {
    const source = hordeChat(endpoint(), 'koboldcpp/nobody-serves-this', fast)
    const deletesBefore = grid.requests.filter((r) => r.method === 'DELETE').length
    expect(await failure(run(source))).toBe(
      'No AI Horde worker is serving koboldcpp/nobody-serves-this right now; pick another model or try again later.',
    )
    expect(grid.requests.filter((r) => r.method === 'DELETE').length).toBe(deletesBefore + 1)

    grid.faults.hordeAsync.push({
      status: 403,
      body: {
        message: 'Due to heavy demand, for requests over 512 tokens, the client needs to already have the required kudos.',
        rc: 'KudosUpfront',
      },
    })
    expect(await failure(run(source))).toMatch(/^Your AI Horde account does not have enough kudos for this reply/)
    grid.faults.hordeAsync.push({ status: 429, body: { message: 'Too many prompts', rc: 'TooManyPrompts' } })
    expect(await failure(run(source))).toMatch(/^The AI Horde is limiting how often you can ask .*wait a few seconds/)
    grid.faults.hordeAsync.push({ status: 429, body: { message: '2 per 1 second' }, headers: { 'Retry-After': '1' } })
    expect(await failure(run(source))).toMatch(/^The AI Horde is limiting how often you can ask/)
    expect(await failure(run(hordeChat(endpoint('wrong-key'), HORDE_MODEL, fast)))).toMatch(/^The AI Horde did not accept your API key/)
  })
})

describe('the grid notice', () => {
  const service = new GridChatService({ gridUrl: () => 'http://127.0.0.1:1', apiKey: () => null, agent: 'x' })
  const backend = { kind: 'grid', network: 'horde', model: HORDE_MODEL } as const
  const reply = (backend: Message['backend'], model: string) => ({ role: 'assistant', backend, model }) as Message

  it('is required once per conversation before it first goes to a grid', () => {
    expect(service.sourceFor(undefined, [], false)).toBeUndefined()
    expect(service.sourceFor({ kind: 'local' }, [], false)).toBeUndefined()
    expect(() => service.sourceFor(backend, [reply('local', 'stories260K.gguf')], false)).toThrow(
      'Confirm that community workers on the AI Horde may read this conversation before it is sent there.',
    )
    // A local model whose file name looks like a grid label is still local: the backend is data, not text.
    expect(() => service.sourceFor(backend, [reply('local', `AI Horde · ${HORDE_MODEL}`)], false)).toThrow(/^Confirm that/)
    expect(service.sourceFor(backend, [], true)?.author()).toEqual({
      backend: 'horde',
      model: HORDE_MODEL,
      gridOrigin: 'http://127.0.0.1:1',
    })
    expect(service.sourceFor(backend, [reply('horde', 'another/model')], false)).toBeDefined()
    // The notice names one grid: having sent the conversation to the AIPG grid does not cover the AI Horde.
    expect(() => service.sourceFor(backend, [reply('aipg', AIPG_MODEL)], false)).toThrow(/^Confirm that community workers on the AI Horde/)
    expect(service.sourceFor({ kind: 'grid', network: 'aipg', model: AIPG_MODEL }, [reply('aipg', AIPG_MODEL)], false)).toBeDefined()
  })
})

describe('long conversations on the grid', () => {
  it('sends the system prompt and only the latest turns that fit', async () => {
    const worker = await scriptedAipgWorker(grid, { model: AIPG_MODEL, reply: 'ok', name: 'long-rig' })
    workers.push(worker)
    const turns = Array.from(
      { length: 5000 },
      (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i} `.padEnd(300, '.') }) as const,
    )
    const result = await aipgChat(endpoint(), AIPG_MODEL).generate(
      { kind: 'chat', turns: [{ role: 'system', content: 'Be brief.' }, ...turns], params: { maxTokens: 16 } },
      {},
    )
    expect(result.text).toBe('ok')
    const sent = worker.requests[0]!.messages as Array<{ content: string }>
    expect(sent[0]!.content).toBe('Be brief.')
    expect(sent.at(-1)!.content).toMatch(/^turn 4999 /)
    expect(sent.length).toBeGreaterThan(100)
    expect(sent.length).toBeLessThan(200)
  })
})
