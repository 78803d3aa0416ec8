import { statSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Host } from '../../src/main/host/createHost.js'
import type { BridgeSettingsView, BridgeTestResult, FoundServer } from '../../src/shared/bridge.js'
import type { EarnSnapshot, JobLogEntry } from '../../src/shared/domain.js'
import type { ReadinessSnapshot } from '../../src/shared/readiness.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { tempDataDir } from '../support/paths.js'
import { chunk, healthyRoutes, json, sse, startScriptedServer, type Route, type ScriptedServer } from '../support/scriptedOpenAi.js'
import { testHost, until } from './hostHarness.js'

const KEY = 'sk-own-server-5678'
const temp = tempDataDir()
let host: Host
let server: ScriptedServer
let grid: DevGrid
/** A loopback port where nothing listens. */
let closedPort = 0
const events: Array<{ name: string; payload: unknown }> = []

/** The user's own server: it wants its key, and otherwise answers like llama.cpp's server. */
function keyedRoutes(model = 'tiny'): Record<string, Route> {
  const healthy = healthyRoutes(model, 'Hi from your server')
  return Object.fromEntries(
    Object.entries(healthy).map(([path, route]) => [
      path,
      ((request, body, response) =>
        request.headers.authorization === `Bearer ${KEY}`
          ? route(request, body, response)
          : json(response, 401, { error: { message: 'invalid api key' } })) satisfies Route,
    ]),
  )
}

beforeAll(async () => {
  server = await startScriptedServer(keyedRoutes())
  grid = await startDevGrid({ mode: 'aipg' })
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  closedPort = (probe.address() as { port: number }).port
  await new Promise((resolve) => probe.close(resolve))
  host = testHost(temp, {
    bridge: {
      finder: {
        ports: [
          { port: server.port, name: 'llama.cpp server' },
          { port: closedPort, name: 'Ollama' },
        ],
      },
      intervals: { upMs: 30_000, downMs: 50 },
    },
  })
  host.events.subscribe((name, payload) => events.push({ name, payload }))
})
afterAll(async () => {
  await host?.close()
  await server?.close()
  grid?.close()
  temp.cleanup()
})

async function call<T>(name: string, request: unknown): Promise<T> {
  const result = await host.dispatch(name, request)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as T
}

/** The miner on the dev grid as own-server-rig, with the dev key, replies up to `maxLength` tokens. */
async function earnOnDevGrid(maxLength = 64): Promise<void> {
  await call('earn.configure', {
    network: 'aipg',
    gridUrl: grid.url,
    workerName: 'own-server-rig',
    slots: 1,
    maxLength,
    maxContextLength: 1024,
  })
  await call('earn.setApiKey', { network: 'aipg', apiKey: 'dev-key-alice' })
}
const lastEarn = () => events.filter((e) => e.name === 'earn.snapshot').at(-1)?.payload as EarnSnapshot | undefined
const TINY_NAMES = { aipg: 'grid/tiny', horde: 'koboldcpp/tiny', registered: false, multiplier: 1, suggestions: [] }
const form = (extra: Record<string, unknown> = {}) => ({ kind: 'openai', url: `${server.origin}/v1`, model: 'tiny', ...extra })

describe('bridge mode in the app: "Use a server I already run"', () => {
  it('finds the server on this PC, tests the connection in one sentence each time, and stores the key like the grid keys', async () => {
    expect(await call<BridgeSettingsView>('bridge.settings', {})).toMatchObject({ mode: 'embedded', hasKey: false })
    expect(await call<FoundServer[]>('bridge.find', {})).toEqual([
      { name: 'llama.cpp server', kind: 'openai', url: `${server.origin}/v1`, models: [], needsKey: true },
    ])

    const refused = await call<BridgeTestResult>('bridge.test', form({ apiKey: 'sk-wrong-key' }))
    expect(refused).toEqual({
      ok: false,
      message: 'The inference server refused the backend key (401); check the API key.',
      models: [],
      names: null,
    })
    const listed = await call<BridgeTestResult>('bridge.test', form({ model: '', apiKey: KEY }))
    expect(listed).toEqual({ ok: true, message: 'The server answers and serves one model; choose one.', models: ['tiny'], names: null })
    const unknown = await call<BridgeTestResult>('bridge.test', form({ model: 'llama3', apiKey: KEY }))
    expect(unknown).toMatchObject({ ok: false, message: 'The inference server does not serve "llama3"; it serves tiny.' })
    const page = await call<BridgeTestResult>('bridge.test', form({ url: `${server.origin}/nothing`, apiKey: KEY }))
    expect(page.ok).toBe(false)
    expect(page.message).toMatch(/^The inference server answered 404.*check the server URL and the model\.$/)
    const nothing = await call<BridgeTestResult>('bridge.test', form({ url: `http://127.0.0.1:${closedPort}/v1`, apiKey: KEY }))
    expect(nothing).toEqual({
      ok: false,
      message: `Could not reach the inference server at http://127.0.0.1:${closedPort}.`,
      models: [],
      names: null,
    })
    const passed = await call<BridgeTestResult>('bridge.test', form({ apiKey: KEY }))
    expect(passed).toEqual({
      ok: true,
      message:
        'Connected: "tiny" answers (streaming yes, tools yes, JSON schema yes, context 4096). On AIPG it goes out as "grid/tiny", which is not in the model registry (den ×1).',
      models: ['tiny'],
      names: TINY_NAMES,
    })

    const leaking = await host.dispatch('bridge.configure', form({ mode: 'server', url: 'http://192.168.1.20:8000/v1', apiKey: KEY }))
    expect(leaking).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/sent unencrypted/) } })
    const noModel = await host.dispatch('bridge.configure', form({ mode: 'server', model: ' ' }))
    expect(noModel).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^Choose the model/) } })
    const saved = await call<BridgeSettingsView>('bridge.configure', form({ mode: 'server', apiKey: KEY }))
    expect(saved).toEqual({
      mode: 'server',
      kind: 'openai',
      url: `${server.origin}/v1`,
      model: 'tiny',
      gridModel: null,
      names: TINY_NAMES,
      hasKey: true,
      status: null,
    })
    expect(statSync(join(temp.dir, 'secrets', 'bridge-backend-key.server-1.secret')).mode & 0o777).toBe(0o600)
    // The stored key is used when the form sends none.
    expect(await call<BridgeTestResult>('bridge.test', form())).toMatchObject({ ok: true })
  })

  it('mines on AIPG through the server with no model loaded, pauses while it is down, and resumes', async () => {
    await earnOnDevGrid()
    expect(host.engine.snapshot().model).toBeNull()
    const first = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 16 } })
    await call('earn.start', {})
    await grid.waitFor(() => grid.aipg.results.get(first)?.done !== undefined, 10_000, 'the first job')
    expect(grid.aipg.results.get(first)!.text).toBe('Hi from your server')
    expect(grid.aipg.registrations.at(-1)).toMatchObject({ name: 'own-server-rig', models: ['grid/tiny'], max_context_length: 1024 })
    // The validators' tests ran on the server's model before the worker registered; this server answers every
    // canary with the same words, so the report says it is not ready, and (as for a loaded model) mining went on.
    const readiness = await call<ReadinessSnapshot>('earn.readinessStatus', {})
    expect(readiness).toMatchObject({ state: 'done', modelName: 'tiny (My server)', stale: false, report: { ready: false } })
    expect(readiness.report!.results.some((result) => result.verdict === 'fail')).toBe(true)
    expect(server.seen.filter((r) => r.path === '/v1/chat/completions').every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true)
    await until(() => lastEarn()?.sinceStart.jobs === 1)
    expect((await call<BridgeSettingsView>('bridge.settings', {})).status).toEqual({
      serving: true,
      message: `Serving "tiny" from ${server.origin}/v1.`,
    })
    expect(await host.dispatch('bridge.configure', form({ mode: 'embedded' }))).toMatchObject({ ok: false, error: { code: 'BUSY' } })

    // The server crashes in the middle of the next reply.
    const healthy = server.routes
    server.routes = {
      ...healthy,
      '/v1/chat/completions': (_q, _b, r) => {
        server.routes = { ...healthy, '/v1/models': (_q2, _b2, r2) => json(r2, 503, { error: { message: 'Loading model' } }) }
        sse(r, [chunk({ content: 'Once' })], false)
        setTimeout(() => r.socket?.destroy(), 20)
      },
    }
    const second = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 16 } })
    await grid.waitFor(() => grid.aipg.results.get(second)?.error !== undefined, 10_000, 'the error frame')
    const paused = await until(() => (lastEarn()?.state === 'paused' ? lastEarn() : null))
    expect(paused!.detail).toMatch(/inference server/)
    // The job's own failure first, then what the health checks see while the server restarts.
    await until(() => host.bridge.settings().status?.message === 'The inference server failed (503): Loading model.')
    expect(host.bridge.settings().status?.serving).toBe(false)

    server.routes = healthy
    await until(() => lastEarn()?.state === 'waiting')
    const jobs = await call<JobLogEntry[]>('earn.jobs', { limit: 10 })
    expect(jobs.find((job) => job.jobId === first)).toMatchObject({ state: 'ok', model: 'grid/tiny' })
    expect(jobs.find((job) => job.jobId === second)).toMatchObject({ state: 'error' })
    await call('earn.stop', {})
    await until(() => lastEarn()?.state === 'off')
    expect(JSON.stringify(events)).not.toContain(KEY)
  })
  it("advertises a registry model under its exact registry name, or the one the user picks when the server's name is not sure", async () => {
    const healthy = server.routes
    const serving = (model: string) => (server.routes = keyedRoutes(model))
    serving('gpt-oss:20b')
    const sure = await call<BridgeTestResult>('bridge.test', form({ model: 'gpt-oss:20b' }))
    expect(sure.names).toEqual({ aipg: 'gpt-oss-20b', horde: 'koboldcpp/gpt-oss-20b', registered: true, multiplier: 20, suggestions: [] })
    expect(sure.message).toMatch(/On AIPG it is the registry model "gpt-oss-20b" \(den ×20\)\.$/)

    serving('gpt-oss:latest')
    const unsure = await call<BridgeTestResult>('bridge.test', form({ model: 'gpt-oss:latest' }))
    expect(unsure.names).toMatchObject({ aipg: 'grid/gpt-oss:latest', registered: false, suggestions: ['gpt-oss-120b', 'gpt-oss-20b'] })
    expect(unsure.message).toMatch(/if it is "gpt-oss-120b" or "gpt-oss-20b", choose that name\.$/)
    const wrongPick = await host.dispatch('bridge.configure', form({ mode: 'server', model: 'gpt-oss:latest', gridModel: 'gpt-oss-21b' }))
    expect(wrongPick).toMatchObject({
      ok: false,
      error: { message: `"gpt-oss-21b" is not in AIPG's model registry; choose one of its names or leave it automatic.` },
    })
    const picked = await call<BridgeSettingsView>(
      'bridge.configure',
      form({ mode: 'server', model: 'gpt-oss:latest', gridModel: 'gpt-oss-20b' }),
    )
    expect(picked).toMatchObject({ gridModel: 'gpt-oss-20b', names: { aipg: 'gpt-oss-20b', registered: true, multiplier: 20 } })

    const job = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 16 } })
    await call('earn.start', {})
    await grid.waitFor(() => grid.aipg.results.get(job)?.done !== undefined, 10_000, 'the job')
    expect(grid.aipg.registrations.at(-1)).toMatchObject({ name: 'own-server-rig', models: ['gpt-oss-20b'] })
    const jobs = await call<JobLogEntry[]>('earn.jobs', { limit: 10 })
    expect(jobs.find((row) => row.jobId === job)).toMatchObject({ state: 'ok', model: 'gpt-oss-20b' })
    await call('earn.stop', {})
    await until(() => lastEarn()?.state === 'off')
    server.routes = healthy
  })

  it('mines two servers of the list on one run: each model under its own worker name, slots and max length', async () => {
    const second = await startScriptedServer(healthyRoutes('qwen-small', 'Hi from the second server'))
    try {
      const model = (name: string, slots: number | null, maxLength: number | null) => ({ name, gridModel: null, slots, maxLength })
      await earnOnDevGrid()
      host.bridge.saveServers(
        {
          mode: 'server',
          servers: [
            { id: 'server-1', kind: 'openai', url: `${server.origin}/v1`, models: [model('tiny', null, null)] },
            { id: 'server-2', kind: 'openai', url: `${second.origin}/v1`, models: [model('qwen-small', 2, 32)] },
          ],
        },
        { 'server-1': KEY },
      )
      const registrations = grid.aipg.registrations.length
      const toFirst = grid.enqueueAipg({
        model: 'grid/tiny',
        request: { messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 16 },
      })
      const toSecond = grid.enqueueAipg({
        model: 'grid/qwen-small',
        request: { messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 16 },
      })
      await call('earn.start', {})
      await grid.waitFor(() => grid.aipg.results.get(toFirst)?.done !== undefined, 10_000, 'the job for the first server')
      await grid.waitFor(() => grid.aipg.results.get(toSecond)?.done !== undefined, 10_000, 'the job for the second server')

      expect(grid.aipg.results.get(toFirst)!.text).toBe('Hi from your server')
      expect(grid.aipg.results.get(toSecond)!.text).toBe('Hi from the second server')
      const registered = grid.aipg.registrations.slice(registrations)
      expect(registered.find((frame) => frame.name === 'own-server-rig-tiny')).toMatchObject({ models: ['grid/tiny'], max_length: 64 })
      // Two slots on AIPG are two sockets of that model's worker.
      expect(registered.filter((frame) => String(frame.name).startsWith('own-server-rig-qwen-small-'))).toEqual([
        expect.objectContaining({ name: 'own-server-rig-qwen-small-1', models: ['grid/qwen-small'], max_length: 32 }),
        expect.objectContaining({ name: 'own-server-rig-qwen-small-2', models: ['grid/qwen-small'], max_length: 32 }),
      ])
      // Each server got only its own model's jobs, and only the first one its key.
      expect(second.seen.some((r) => r.path === '/v1/chat/completions' && r.body.model === 'qwen-small')).toBe(true)
      expect(second.seen.every((r) => r.body.model === undefined || r.body.model === 'qwen-small')).toBe(true)
      expect(second.seen.every((r) => r.authorization === undefined)).toBe(true)
      const jobs = await call<JobLogEntry[]>('earn.jobs', { limit: 10 })
      expect(jobs.find((job) => job.jobId === toSecond)).toMatchObject({ state: 'ok', model: 'grid/qwen-small' })
      await call('earn.stop', {})
      await until(() => lastEarn()?.state === 'off')
    } finally {
      host.bridge.saveServers({ mode: 'server', servers: host.bridge.servers().servers.slice(0, 1) })
      await second.close()
    }
  })

  it('Stop during the readiness check before a bridged start cancels the check and registers nothing', async () => {
    const healthy = server.routes
    await call('bridge.configure', form({ mode: 'server', model: 'tiny', apiKey: KEY }))
    await earnOnDevGrid(48)
    const held: ServerResponse[] = []
    const from = events.length
    const readinessEvents = () =>
      events
        .slice(from)
        .filter((e) => e.name === 'earn.readiness')
        .map((e) => e.payload as ReadinessSnapshot)
    // The first canary is answered; the next ones hang, as a busy server's would.
    server.routes = {
      ...healthy,
      '/v1/chat/completions': (request, body, response) =>
        readinessEvents().some((snapshot) => (snapshot.progress?.done ?? 0) >= 1)
          ? held.push(response)
          : healthy['/v1/chat/completions']!(request, body, response),
    }
    const registrations = grid.aipg.registrations.length
    const starting = host.dispatch('earn.start', {})
    await until(() => held.length > 0)
    const status = () => call<ReadinessSnapshot>('earn.readinessStatus', {})
    expect((await status()).state).toBe('running')

    await call('earn.stop', {})

    expect(await starting).toMatchObject({ ok: true })
    const after = await status()
    expect(after.state).not.toBe('running')
    expect(after.message).toMatch(/^The readiness check stopped/)
    expect(grid.aipg.registrations.length).toBe(registrations)
    expect(lastEarn()?.state).toBe('off')
    held.forEach((response) => response.destroy())
    server.routes = healthy
  })
})
