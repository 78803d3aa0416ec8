import { afterEach, describe, expect, it } from 'vitest'
import type { BackendConfig } from '../../src/worker/bridge/backendTypes.js'
import { openBridge, type Bridge } from '../../src/worker/bridge/bridge.js'
import { createWorker, type WorkerEvent } from '../../src/worker/jobLoop.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { chunk, healthyRoutes, json, sse, startScriptedServer, type Route, type ScriptedServer } from '../support/scriptedOpenAi.js'
import { MemoryLedger } from '../support/workerFakes.js'

/** A server that is down: /models answers 503 the way a restarting llama-server or vLLM does. */
const loading: Route = (_q, _b, r) => json(r, 503, { error: { message: 'Loading model' } })

let server: ScriptedServer | undefined
let grid: DevGrid | undefined
const stops: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop()
  await server?.close()
  grid?.close()
  server = undefined
  grid = undefined
})

async function bridged(recoveryMs: number): Promise<Bridge> {
  server = await startScriptedServer(healthyRoutes())
  const config: BackendConfig = { kind: 'openai', url: `${server.origin}/v1`, model: 'tiny', timeouts: { recoveryMs } }
  const bridge = await openBridge(config, { intervals: { upMs: 30_000, downMs: 40 } })
  await bridge.health.check()
  const checks = new AbortController()
  const running = bridge.health.run(checks.signal)
  stops.push(async () => {
    checks.abort()
    await running
  })
  return bridge
}

/** A worker on the dev grid's AIPG socket in front of `bridge`, as `gridforge worker --backend` runs it. */
function aipgWorker(bridge: Bridge, name: string, maxJobs: number) {
  const ledger = new MemoryLedger()
  const worker = createWorker(
    {
      network: 'aipg',
      gridUrl: grid!.url,
      apiKey: 'dev-key-alice',
      name,
      models: ['grid/tiny'],
      slots: 1,
      maxLength: 64,
      maxContextLength: 2048,
      maxJobs,
      agent: 'GridForge:0.0.0-test:x',
    },
    { engine: bridge.engine, ledger, gate: bridge.health.gate },
  )
  const events: WorkerEvent[] = []
  worker.subscribe((event) => events.push(event))
  const run = worker.run()
  stops.push(async () => {
    worker.stop()
    worker.stop()
    await run
  })
  return { worker, ledger, events, run }
}

const chatJob = () => grid!.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Tell me a story' }], max_tokens: 16 } })
const chatCalls = () => server!.seen.filter((request) => request.path === '/v1/chat/completions' && request.body.max_tokens === 16)

describe('a bridged AIPG worker whose server goes away in the middle of a job', () => {
  it('answers the job with one error frame, pauses with the reason, and takes jobs again once the server is back', async () => {
    const bridge = await bridged(60_000)
    grid = await startDevGrid({ mode: 'aipg' })
    server!.routes['/v1/chat/completions'] = (_q, body, r) => {
      if (!body.stream) return json(r, 200, { choices: [] })
      // The server crashes after the first piece of the answer: the process is gone, /models with it.
      server!.routes['/v1/models'] = loading
      sse(r, [chunk({ content: 'Once' })], false)
      setTimeout(() => r.socket?.destroy(), 20)
    }
    const first = chatJob()
    const { ledger, events, run } = aipgWorker(bridge, 'bridge-outage', 2)

    await grid.waitFor(() => grid!.aipg.results.get(first)?.error !== undefined, 10_000, 'the error frame')
    const failed = grid.aipg.results.get(first)!
    expect(failed.text).toBe('Once')
    expect(failed.done).toBeUndefined()
    expect(failed.error).toMatchObject({
      client_error: false,
      message: expect.stringMatching(/closed the connection before the reply was finished/),
    })
    expect(grid.aipg.strikes.get('bridge-outage')).toBe(1)
    await grid.waitFor(() => events.some((e) => e.type === 'state' && e.state === 'paused'), 5000, 'the pause')
    const paused = events.findLast((e) => e.type === 'state' && e.state === 'paused')
    expect(paused).toMatchObject({ detail: 'The inference server closed the connection before the reply was finished.' })
    await grid.waitFor(() => bridge.health.gate.reason?.() === 'The inference server failed (503): Loading model.', 5000, 'the check')
    expect(ledger.get(first)).toMatchObject({ state: 'error', reward: 0 })

    // The server is back: the worker registers again and the next job is answered and clears the strike.
    const registrations = grid.aipg.registrations.length
    server!.routes = healthyRoutes()
    const second = chatJob()
    expect(await run).toMatchObject({ reason: 'max-jobs' })
    expect(grid.aipg.registrations.length).toBe(registrations + 1)
    expect(grid.aipg.results.get(second)).toMatchObject({ text: 'Hi' })
    expect(grid.aipg.results.get(second)!.error).toBeUndefined()
    expect(grid.aipg.strikes.has('bridge-outage')).toBe(false)
    expect(ledger.get(second)).toMatchObject({ state: 'ok' })
  })

  it('waits for a server that restarts before it answered anything, and answers the job with no strike', async () => {
    const bridge = await bridged(60_000)
    grid = await startDevGrid({ mode: 'aipg' })
    const healthy = healthyRoutes()
    server!.routes['/v1/chat/completions'] = (_q, body, r) => {
      if (body.max_tokens !== 16) return healthy['/v1/chat/completions']!(_q, body, r)
      server!.routes['/v1/models'] = loading
      server!.routes['/v1/chat/completions'] = healthy['/v1/chat/completions']!
      r.socket?.destroy()
      setTimeout(() => (server!.routes['/v1/models'] = healthy['/v1/models']!), 200)
    }
    const job = chatJob()
    const { ledger, run } = aipgWorker(bridge, 'bridge-restart', 1)

    expect(await run).toMatchObject({ reason: 'max-jobs' })
    const answer = grid.aipg.results.get(job)!
    expect(answer).toMatchObject({ text: 'Hi', attempts: 1 })
    expect(answer.error).toBeUndefined()
    expect(answer.done).toBeDefined()
    expect(chatCalls()).toHaveLength(2)
    expect(grid.aipg.strikes.has('bridge-restart')).toBe(false)
    expect(ledger.get(job)).toMatchObject({ state: 'ok' })
  })

  it('gives up waiting after the recovery window and answers the job with the error once', async () => {
    const bridge = await bridged(300)
    grid = await startDevGrid({ mode: 'aipg' })
    server!.routes['/v1/chat/completions'] = (_q, body, r) => {
      if (body.max_tokens !== 16) return json(r, 200, { choices: [] })
      server!.routes['/v1/models'] = loading
      r.socket?.destroy()
    }
    const job = chatJob()
    const { ledger } = aipgWorker(bridge, 'bridge-gone', 1)

    const answers = () => grid!.aipg.frames.filter(({ frame }) => frame.id === job && (frame.type === 'error' || frame.type === 'done'))
    await grid.waitFor(() => answers().length > 0 && ledger.get(job) !== undefined, 10_000, 'the job answered')
    const frames = answers()
    expect(frames).toHaveLength(1)
    expect(frames[0]!.frame).toMatchObject({
      type: 'error',
      client_error: false,
      message: expect.stringMatching(/Could not reach the inference server/),
    })
    expect(chatCalls()).toHaveLength(1)
    expect(ledger.get(job)).toMatchObject({ state: 'error' })
  })
})
