import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Host } from '../../src/main/host/createHost.js'
import { HostEvents } from '../../src/main/host/events.js'
import { ModelRegistry } from '../../src/main/models/modelRegistry.js'
import { startHeadlessServer, type HeadlessServer } from '../../src/main/server/headlessServer.js'
import { openDatabase } from '../../src/main/store/database.js'
import { ModelsRepository } from '../../src/main/store/modelsRepository.js'
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../src/shared/wire.js'
import { uiRequests } from '../support/uiRequests.js'

const dir = mkdtempSync(join(tmpdir(), 'gridforge-ui-limits-'))
const renderer = join(dir, 'renderer')
const events = new HostEvents(() => undefined)
let server: HeadlessServer
let port: number
let ui: ReturnType<typeof uiRequests>

beforeAll(async () => {
  mkdirSync(renderer)
  writeFileSync(join(renderer, 'index.html'), '<p>the app</p>')
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer')
  mkdirSync(join(dir, 'private'))
  writeFileSync(join(dir, 'private', 'key.txt'), 'outside too')
  symlinkSync(join(dir, 'secret.txt'), join(renderer, 'leak.txt'))
  symlinkSync(join(dir, 'private'), join(renderer, 'assets'))
  const host = { dispatch: async () => ({ ok: true, value: null }), events } as unknown as Host
  server = await startHeadlessServer(host, { host: '127.0.0.1', port: 0, rendererDir: renderer, token: 'a-test-token' })
  port = Number(new URL(server.url).port)
  ui = uiRequests(port, 'a-test-token')
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the UI server', () => {
  it('drops a WebSocket client that stops reading instead of buffering for it without limit', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + 'a-test-token'])
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    const closed = new Promise((resolve) => ws.once('close', resolve))
    ;(ws as unknown as { _socket: { pause(): void } })._socket.pause()
    const emit = events.emit.bind(events) as (name: string, payload: unknown) => void
    const text = 'x'.repeat(256 * 1024)
    // 64 MB of events, in steps so the sockets can move what they can.
    for (let step = 0; step < 256; step++) {
      emit('chat.delta', { conversationId: 'c', messageId: 'm', text })
      if (step % 16 === 0) await new Promise((r) => setImmediate(r))
    }
    ;(ws as unknown as { _socket: { resume(): void } })._socket.resume()
    await closed
    expect(ws.readyState).toBe(WebSocket.CLOSED)
  })

  it('refuses a WebSocket from another site or under a name that is not this server, even with the token', async () => {
    expect(await ui.upgradeStatus({ Host: `127.0.0.1:${port}` })).toBe(101)
    expect(await ui.upgradeStatus({ Host: `localhost:${port}`, Origin: `http://localhost:${port}` })).toBe(101)
    expect(await ui.upgradeStatus({ Host: `127.0.0.1:${port}`, Origin: 'http://evil.example' })).toBe(403)
    expect(await ui.upgradeStatus({ Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port + 1}` })).toBe(403)
    expect(await ui.upgradeStatus({ Host: `evil.example:${port}` })).toBe(403)
    expect((await ui.get('/', `rebound.example:${port}`)).status).toBe(421)
    expect(await ui.get('/')).toMatchObject({ status: 200, body: '<p>the app</p>' })
  })

  it('never follows a symlink out of the renderer folder', async () => {
    expect((await ui.get('/leak.txt')).body).not.toContain('outside')
    expect((await ui.get('/assets/key.txt')).body).not.toContain('outside')
  })
})

describe('registering a model', () => {
  it.skipIf(process.platform === 'win32')('refuses a FIFO or device named *.gguf at once', async () => {
    const fifo = join(dir, 'pipe.gguf')
    execFileSync('mkfifo', [fifo])
    const db = openDatabase(join(dir, 'gridforge.db'))
    try {
      const registry = new ModelRegistry(new ModelsRepository(db), join(dir, 'models'))
      await expect(registry.register(fifo)).rejects.toMatchObject({
        code: 'MODEL_INVALID',
        message: expect.stringMatching(/not a regular file/),
      })
      await expect(registry.register('/dev/zero')).rejects.toMatchObject({ code: 'MODEL_INVALID' })
    } finally {
      db.close()
    }
  })
})
