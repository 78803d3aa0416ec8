import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Host } from '../../src/main/host/createHost.js'
import type { BridgeServersView, BridgeTestResult } from '../../src/shared/bridge.js'
import { tempDataDir } from '../support/paths.js'
import { healthyRoutes, json, startScriptedServer, type Route, type ScriptedServer } from '../support/scriptedOpenAi.js'
import { testHost } from './hostHarness.js'

const KEY_A = 'sk-first-server-1111'
const KEY_B = 'sk-second-server-2222'
const temp = tempDataDir()
let host: Host
let first: ScriptedServer
let second: ScriptedServer
const events: Array<{ name: string; payload: unknown }> = []

/** A server that answers only with its own key. */
function keyed(model: string, key: string): Record<string, Route> {
  return Object.fromEntries(
    Object.entries(healthyRoutes(model)).map(([path, route]) => [
      path,
      ((request, body, response) =>
        request.headers.authorization === `Bearer ${key}`
          ? route(request, body, response)
          : json(response, 401, { error: { message: 'invalid api key' } })) satisfies Route,
    ]),
  )
}

beforeAll(async () => {
  first = await startScriptedServer(keyed('tiny', KEY_A))
  second = await startScriptedServer(keyed('tiny2', KEY_B))
  host = testHost(temp)
  host.events.subscribe((name, payload) => events.push({ name, payload }))
})
afterAll(async () => {
  await host?.close()
  await first?.close()
  await second?.close()
  temp.cleanup()
})

const dispatch = (name: string, request: unknown) => host.dispatch(name, request)
async function call<T>(name: string, request: unknown): Promise<T> {
  const result = await dispatch(name, request)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as T
}
const model = (name: string, slots: number | null = null) => ({ name, gridModel: null, slots, maxLength: null })
const list = (mode: 'server' | 'embedded', ...servers: Array<{ id: string; url: string; models: ReturnType<typeof model>[] }>) => ({
  mode,
  servers: servers.map((server) => ({ kind: 'openai', ...server })),
})

describe("the panel's server list over the app's calls", () => {
  it('saves several servers with their keys, shows only that a key is saved, and tests each server with its own key', async () => {
    const saved = await call<BridgeServersView>('bridge.saveServers', {
      list: list(
        'server',
        { id: 'server-1', url: `${first.origin}/v1/`, models: [model('tiny')] },
        { id: 'server-2', url: `${second.origin}/v1`, models: [model('tiny2', 2)] },
      ),
      keys: { 'server-1': KEY_A, 'server-2': KEY_B },
    })

    expect(saved.servers.map(({ id, url, hasKey, status }) => ({ id, url, hasKey, status }))).toEqual([
      { id: 'server-1', url: `${first.origin}/v1`, hasKey: true, status: null },
      { id: 'server-2', url: `${second.origin}/v1`, hasKey: true, status: null },
    ])
    expect(saved.servers[1]!.models).toEqual([model('tiny2', 2)])
    expect(await call('bridge.servers', {})).toEqual(saved)
    // Keys go to the host only: not in the answers, not in any event the renderer gets.
    const seen = JSON.stringify([saved, events])
    expect(seen).not.toContain(KEY_A)
    expect(seen).not.toContain(KEY_B)
    expect(events.some((event) => event.name === 'bridge.servers')).toBe(true)

    const tested = await call<BridgeTestResult>('bridge.test', {
      id: 'server-2',
      kind: 'openai',
      url: `${second.origin}/v1`,
      model: 'tiny2',
    })
    expect(tested.message).toMatch(/^Connected: "tiny2" answers/)
    const withFirstKey = await call<BridgeTestResult>('bridge.test', { kind: 'openai', url: `${second.origin}/v1`, model: 'tiny2' })
    expect(withFirstKey.ok).toBe(false)
  })

  it('refuses a list it cannot run in one sentence and keeps the saved one', async () => {
    const before = await call<BridgeServersView>('bridge.servers', {})
    const refusals = await Promise.all([
      dispatch('bridge.saveServers', {
        list: list(
          'server',
          { id: 'server-1', url: `${first.origin}/v1`, models: [model('tiny')] },
          { id: 'server-2', url: `${second.origin}/v1`, models: [model('tiny')] },
        ),
      }),
      dispatch('bridge.saveServers', { list: list('server', { id: 'server-1', url: `${first.origin}/v1`, models: [] }) }),
      dispatch('bridge.saveServers', {
        list: list('server', { id: 'server-1', url: 'http://192.0.2.7:8000/v1', models: [model('tiny')] }),
      }),
      dispatch('bridge.saveServers', { list: list('server', { id: 'server-1', url: 'not a url', models: [model('tiny')] }) }),
    ])

    expect(refusals.map((result) => (result.ok ? 'saved' : result.error.message))).toEqual([
      'Invalid request for bridge.saveServers (list): the model "tiny" is listed twice; serve each model from one server.',
      'Server 1: choose the model it should serve (Test connection lists them).',
      'Server 1: the API key would be sent unencrypted; use https:// for a server on another machine.',
      'Server 1: the server URL is not a web address (http://127.0.0.1:11434/v1).',
    ])
    expect(await call('bridge.servers', {})).toEqual(before)
  })

  it('forgets the key of a server taken off the list', async () => {
    await call('bridge.saveServers', { list: list('server', { id: 'server-1', url: `${first.origin}/v1`, models: [model('tiny')] }) })
    const again = await call<BridgeServersView>('bridge.saveServers', {
      list: list(
        'server',
        { id: 'server-1', url: `${first.origin}/v1`, models: [model('tiny')] },
        { id: 'server-2', url: `${second.origin}/v1`, models: [model('tiny2')] },
      ),
    })
    expect(again.servers.map((server) => server.hasKey)).toEqual([true, false])
  })
})
