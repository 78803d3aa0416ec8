import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BridgeSettingsStore, bridgeServersSchema, newServerId } from '../../src/main/bridge/bridgeSettings.js'
import { openDatabase } from '../../src/main/store/database.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import { SettingsRepository } from '../../src/main/store/settingsRepository.js'

let dir: string
let db: ReturnType<typeof openDatabase>
let settings: SettingsRepository
let secrets: FileSecretStore

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridforge-bridge-list-'))
  db = openDatabase(join(dir, 'gridforge.db'))
  settings = new SettingsRepository(db)
  secrets = new FileSecretStore(join(dir, 'secrets'))
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const server = (id: string, url: string, ...models: string[]) => ({
  id,
  kind: 'openai' as const,
  url,
  models: models.map((name) => ({ name, gridModel: null, slots: null, maxLength: null })),
})

describe('the bridge server list', () => {
  it("makes an existing user's single server the first of the list, with its key", () => {
    settings.set('bridge', { mode: 'server', kind: 'openai', url: 'http://127.0.0.1:11434/v1', model: 'llama3', gridModel: 'llama-3-8b' })
    secrets.set('bridge-backend-key', 'sk-old-1234')

    const store = new BridgeSettingsStore(settings, secrets)

    expect(store.list()).toEqual({
      mode: 'server',
      servers: [
        {
          id: 'server-1',
          kind: 'openai',
          url: 'http://127.0.0.1:11434/v1',
          models: [{ name: 'llama3', gridModel: 'llama-3-8b', slots: null, maxLength: null }],
        },
      ],
    })
    expect(store.keyOf('server-1')).toBe('sk-old-1234')
    expect(existsSync(join(dir, 'secrets', 'bridge-backend-key.secret'))).toBe(false)
    // What chat's "My server" and the local API read is the same server as before.
    expect(store.current()).toEqual({
      mode: 'server',
      kind: 'openai',
      url: 'http://127.0.0.1:11434/v1',
      model: 'llama3',
      gridModel: 'llama-3-8b',
    })
    // Opening it again changes nothing (the migration ran once).
    expect(new BridgeSettingsStore(settings, secrets).list()).toEqual(store.list())
  })

  it('keeps each server with its own key, and a removed server takes its key with it', () => {
    const store = new BridgeSettingsStore(settings, secrets)
    store.saveList({
      mode: 'server',
      servers: [server('server-1', 'http://127.0.0.1:11434/v1', 'a'), server('server-2', 'http://127.0.0.1:8080/v1', 'b')],
    })
    store.setKeyOf('server-1', 'sk-one-1111')
    store.setKeyOf('server-2', 'sk-two-2222')
    expect([store.keyOf('server-1'), store.keyOf('server-2')]).toEqual(['sk-one-1111', 'sk-two-2222'])

    store.saveList({ mode: 'server', servers: [server('server-2', 'http://127.0.0.1:8080/v1', 'b')] })

    expect(store.keyOf('server-1')).toBeNull()
    expect(store.keyOf('server-2')).toBe('sk-two-2222')
    expect(store.current().model).toBe('b')
    expect(newServerId(store.list().servers)).not.toBe('server-2')
  })

  it('refuses a list that serves one model from two servers, in one sentence, and keeps the saved one', () => {
    const store = new BridgeSettingsStore(settings, secrets)
    const saved = { mode: 'server' as const, servers: [server('server-1', 'http://127.0.0.1:11434/v1', 'llama3')] }
    store.saveList(saved)

    expect(() =>
      store.saveList({ mode: 'server', servers: [...saved.servers, server('server-2', 'http://127.0.0.1:8080/v1', 'llama3')] }),
    ).toThrow('The server list cannot be saved: the model "llama3" is listed twice; serve each model from one server.')
    expect(store.list()).toEqual(saved)
  })

  it('validates slots and max length per model', () => {
    const withSlots = (slots: number) => ({
      mode: 'server',
      servers: [{ ...server('server-1', 'http://127.0.0.1:8000/v1'), models: [{ name: 'qwen', slots, maxLength: 512 }] }],
    })
    expect(bridgeServersSchema.safeParse(withSlots(4)).data?.servers[0]?.models[0]).toEqual({
      name: 'qwen',
      gridModel: null,
      slots: 4,
      maxLength: 512,
    })
    expect(bridgeServersSchema.safeParse(withSlots(0)).success).toBe(false)
    expect(bridgeServersSchema.safeParse(withSlots(65)).success).toBe(false)
  })

  it('saves the single-server form into the first server and leaves the others', () => {
    const store = new BridgeSettingsStore(settings, secrets)
    store.saveList({
      mode: 'server',
      servers: [server('server-1', 'http://127.0.0.1:11434/v1', 'a'), server('server-2', 'http://127.0.0.1:8080/v1', 'b')],
    })

    store.save({ mode: 'server', kind: 'openai', url: 'http://127.0.0.1:1234/v1', model: 'c', gridModel: null })

    expect(store.list().servers.map((entry) => [entry.id, entry.url, entry.models.map((model) => model.name)])).toEqual([
      ['server-1', 'http://127.0.0.1:1234/v1', ['c']],
      ['server-2', 'http://127.0.0.1:8080/v1', ['b']],
    ])
  })
})
