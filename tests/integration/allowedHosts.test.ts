import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Host } from '../../src/main/host/createHost.js'
import { HostEvents } from '../../src/main/host/events.js'
import { startHeadlessServer, type HeadlessServer } from '../../src/main/server/headlessServer.js'
import { runGridforge } from '../support/cliRun.js'
import { startServe } from '../support/serveProcess.js'
import { uiRequests } from '../support/uiRequests.js'

const dir = mkdtempSync(join(tmpdir(), 'gridforge-allowed-hosts-'))
let server: HeadlessServer
let port: number
let ui: ReturnType<typeof uiRequests>

beforeAll(async () => {
  mkdirSync(join(dir, 'renderer'))
  writeFileSync(join(dir, 'renderer', 'index.html'), '<p>the app</p>')
  const host = { dispatch: async () => ({ ok: true, value: null }), events: new HostEvents(() => undefined) } as unknown as Host
  server = await startHeadlessServer(host, {
    host: '127.0.0.1',
    port: 0,
    rendererDir: join(dir, 'renderer'),
    token: 'a-test-token',
    allowedHosts: ['rig1.local', 'GridForge.Example.com'],
  })
  port = Number(new URL(server.url).port)
  ui = uiRequests(port, 'a-test-token')
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('a UI server told which other names it goes by', () => {
  it('answers under a LAN name on its port and behind an HTTPS reverse proxy that keeps the public name', async () => {
    expect(await ui.get('/', `rig1.local:${port}`)).toMatchObject({ status: 200, body: '<p>the app</p>' })
    expect(await ui.upgradeStatus({ Host: `rig1.local:${port}`, Origin: `http://rig1.local:${port}` })).toBe(101)
    // nginx's `proxy_set_header Host $host` and Caddy send the public name without a port.
    expect((await ui.get('/', 'gridforge.example.com')).status).toBe(200)
    expect(await ui.upgradeStatus({ Host: 'gridforge.example.com', Origin: 'https://gridforge.example.com' })).toBe(101)
    expect(await ui.upgradeStatus({ Host: 'gridforge.example.com:8443', Origin: 'https://gridforge.example.com:8443' })).toBe(101)
  })

  it('still refuses every other name and every other site, even with the token', async () => {
    expect((await ui.get('/', `rebound.example:${port}`)).status).toBe(421)
    expect((await ui.get('/', `rig1.local.rebound.example:${port}`)).status).toBe(421)
    expect(await ui.upgradeStatus({ Host: 'gridforge.example.com', Origin: 'https://evil.example' })).toBe(403)
    expect(await ui.upgradeStatus({ Host: `rig1.local:${port}`, Origin: 'ftp://rig1.local' })).toBe(403)
    // Its own names keep their rules: this port only, and plain http.
    expect(await ui.upgradeStatus({ Host: `127.0.0.1:${port}`, Origin: `https://127.0.0.1:${port}` })).toBe(403)
    expect(await ui.upgradeStatus({ Host: `localhost:${port + 1}` })).toBe(403)
  })
})

describe('gridforge serve --allowed-host', () => {
  it('takes names from the flag (repeatable) and from GRIDFORGE_ALLOWED_HOSTS, and says so', async () => {
    const serve = await startServe(join(dir, 'serve'), 'a-test-token-0123456789', 0, { GRIDFORGE_ALLOWED_HOSTS: 'proxy.example, ' }, [
      '--allowed-host',
      'rig1.local',
      '--allowed-host',
      'rig2.local',
    ])
    try {
      const served = uiRequests(Number(new URL(serve.url).port), 'a-test-token-0123456789')
      for (const name of ['rig1.local', 'rig2.local', 'proxy.example']) expect((await served.get('/', name)).status).toBe(200)
      expect((await served.get('/', 'rig3.local')).status).toBe(421)
    } finally {
      await serve.stop()
    }
  })

  it('refuses a URL or a name with a port in one sentence', async () => {
    for (const value of ['https://rig1.local', 'rig1.local:5199']) {
      const run = await runGridforge(join(dir, 'refused'), ['serve', '--allowed-host', value])
      expect(run.code).toBe(2)
      expect(run.stderr.trim()).toBe(
        `gridforge: --allowed-host takes a host name such as rig1.local or gridforge.example.com, without a scheme or port; got "${value}".`,
      )
    }
  })
})
