import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AlertService, type DesktopNotifier } from '../../src/main/alerts/alertService.js'
import { createDispatcher, type Handlers } from '../../src/main/host/dispatch.js'
import { openDatabase } from '../../src/main/store/database.js'
import { SettingsRepository } from '../../src/main/store/settingsRepository.js'
import { DEFAULT_ALERT_SETTINGS, type Alert, type AlertConfigureRequest } from '../../src/shared/alerts.js'

/** A loopback webhook receiver: each request is recorded and answered by the next scripted reply. */
interface Receiver {
  url: string
  requests: Array<{ path: string; body: unknown }>
  replies: Array<(res: ServerResponse) => void>
  close(): Promise<void>
}

async function receiver(host = '127.0.0.1'): Promise<Receiver> {
  const requests: Receiver['requests'] = []
  const replies: Receiver['replies'] = []
  const server: Server = createServer((req: IncomingMessage, res) => {
    let text = ''
    req.on('data', (chunk) => (text += chunk))
    req.on('end', () => {
      requests.push({ path: req.url ?? '', body: text ? JSON.parse(text) : null })
      const reply = replies.shift() ?? ((r: ServerResponse) => r.writeHead(204).end())
      reply(res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host === '::1' ? '[::1]' : host}:${port}`,
    requests,
    replies,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

const status =
  (code: number, headers: Record<string, string> = {}) =>
  (res: ServerResponse) =>
    res.writeHead(code, headers).end()
const hang = () => (_res: ServerResponse) => undefined

let dir: string
let db: Database.Database
let hook: Receiver
let other: Receiver
const shown: Alert[] = []
const notifier: DesktopNotifier = { notify: (alert) => shown.push(alert) }
const logs: string[] = []
const clock = { now: 1_800_000_000_000 }

function service(timeoutMs = 2000) {
  return new AlertService({
    settings: new SettingsRepository(db),
    notifier,
    rigName: () => 'rig-7',
    webhook: { timeoutMs, attempts: 3, backoffMs: [20, 40], sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    now: () => clock.now,
    log: (line) => logs.push(line),
  })
}

const settings = (change: Partial<AlertConfigureRequest> = {}): AlertConfigureRequest => ({ ...DEFAULT_ALERT_SETTINGS, ...change })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gridforge-alerts-'))
  db = openDatabase(join(dir, 'gridforge.db'))
  hook = await receiver()
  other = await receiver('127.0.0.2')
})
afterEach(() => {
  hook.requests.length = 0
  hook.replies.length = 0
  other.requests.length = 0
  shown.length = 0
  logs.length = 0
})
afterAll(async () => {
  await hook.close()
  await other.close()
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('alert delivery to a webhook', () => {
  it('retries a webhook that answers 500, then delivers once', async () => {
    const alerts = service()
    alerts.configure(settings({ webhook: { url: `${hook.url}/hook`, format: 'json' } }))
    hook.replies.push(status(500), status(200))
    expect(alerts.raise('gpu-hot', 'The GPU is too hot', 'The GPU is at 92 °C.')).toBe(true)
    await alerts.idle()
    expect(hook.requests).toHaveLength(2)
    expect(hook.requests[1]).toEqual({
      path: '/hook',
      body: {
        source: 'gridforge',
        kind: 'gpu-hot',
        title: 'The GPU is too hot',
        body: 'The GPU is at 92 °C.',
        rig: 'rig-7',
        at: new Date(clock.now).toISOString(),
      },
    })
    expect(logs).toEqual([])
    expect(shown.map((alert) => alert.kind)).toEqual(['gpu-hot'])
  })

  it('time-limits a webhook that hangs, without holding the caller', async () => {
    const alerts = service(300)
    alerts.configure(settings({ webhook: { url: `${hook.url}/slow`, format: 'json' } }))
    hook.replies.push(hang(), hang(), hang())
    // raise() answers synchronously: the hook has not even been called yet, so a job can never wait on it.
    expect(alerts.raise('evicted', 'This rig was evicted by the grid', 'Cooldown.')).toBe(true)
    expect(hook.requests).toHaveLength(0)
    await alerts.idle()
    expect(hook.requests).toHaveLength(3)
    expect(logs).toEqual(['alerts: evicted not delivered: The webhook did not answer within 0.3 s.'])
  })

  it('does not follow a redirect to another host, and follows one on the same loopback host', async () => {
    const alerts = service()
    alerts.configure(settings({ webhook: { url: `${hook.url}/moved`, format: 'json' } }))
    hook.replies.push(status(307, { location: `${other.url}/steal` }))
    const result = await alerts.test()
    expect(result).toEqual({
      desktop: 'sent',
      webhook: 'failed',
      message: 'The webhook redirected to another host or off https (HTTP 307); not followed.',
    })
    expect(other.requests).toEqual([])
    expect(hook.requests).toHaveLength(1)

    hook.requests.length = 0
    hook.replies.push(status(308, { location: '/new-home' }), status(200))
    expect(await alerts.test()).toEqual({ desktop: 'sent', webhook: 'sent', message: null })
    expect(hook.requests.map((request) => request.path)).toEqual(['/moved', '/new-home'])
  })

  it('sends Discord- and Slack-compatible bodies', async () => {
    const alerts = service()
    alerts.configure(settings({ webhook: { url: `${hook.url}/discord`, format: 'discord' } }))
    alerts.raise('payout-sent', 'A payout was sent', '1.5 AIPG was sent.')
    await alerts.idle()
    alerts.configure(settings({ webhook: { url: `${hook.url}/slack`, format: 'slack' } }))
    alerts.raise('rig-offline', 'A rig is offline', '"rig-2" has been offline for 10 minutes or more.')
    await alerts.idle()
    expect(hook.requests).toEqual([
      { path: '/discord', body: { content: '**A payout was sent** (rig-7)\n1.5 AIPG was sent.' } },
      { path: '/slack', body: { text: '*A rig is offline* (rig-7)\n"rig-2" has been offline for 10 minutes or more.' } },
    ])
  })

  it('rate-limits repeats per kind and honours each switch', async () => {
    const alerts = service()
    alerts.configure(
      settings({
        repeatMinutes: 30,
        webhook: { url: `${hook.url}/limits`, format: 'json' },
        kinds: { ...DEFAULT_ALERT_SETTINGS.kinds, 'payout-sent': false },
      }),
    )
    expect(alerts.raise('strike-burst', 'Strikes', 'Three.')).toBe(true)
    expect(alerts.raise('strike-burst', 'Strikes', 'Three again.')).toBe(false)
    expect(alerts.raise('engine-restarts', 'Engine', 'Loop.')).toBe(true)
    expect(alerts.raise('payout-sent', 'Payout', 'Off.')).toBe(false)
    clock.now += 29 * 60_000
    expect(alerts.raise('strike-burst', 'Strikes', 'Still.')).toBe(false)
    clock.now += 60_000
    expect(alerts.raise('strike-burst', 'Strikes', 'Later.')).toBe(true)
    alerts.configure(settings({ enabled: false }))
    clock.now += 60 * 60_000
    expect(alerts.raise('engine-restarts', 'Engine', 'Off.')).toBe(false)
    await alerts.idle()
    expect(hook.requests.map((request) => (request.body as { body: string }).body)).toEqual(['Three.', 'Loop.', 'Later.'])
  })
})

describe('alert settings at the host door', () => {
  // The host's own door with only the alert calls handled (the other calls are not made here).
  const dispatchFor = (alerts: AlertService) => {
    const only: Pick<Handlers, 'alerts.settings' | 'alerts.configure' | 'alerts.test'> = {
      'alerts.settings': () => alerts.settings(),
      'alerts.configure': (request) => alerts.configure(request),
      'alerts.test': () => alerts.test(),
    }
    return createDispatcher(only as Handlers)
  }

  it('refuses a malformed setting with one sentence and keeps what was stored', async () => {
    const alerts = service()
    const dispatch = dispatchFor(alerts)
    const saved = await dispatch(
      'alerts.configure',
      settings({ webhook: { url: 'https://hooks.example.com/services/T000/B000/secret-token', format: 'slack' } }),
    )
    expect(saved).toMatchObject({
      ok: true,
      value: { webhook: { configured: true, hint: 'https://hooks.example.com/…oken', format: 'slack' } },
    })
    expect(JSON.stringify(saved)).not.toContain('secret-token')

    const plainHttp = await dispatch('alerts.configure', settings({ webhook: { url: 'http://hooks.example.com/x', format: 'json' } }))
    expect(plainHttp).toEqual({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message:
          'Invalid request for alerts.configure (webhook.url): the webhook URL must use https (plain http only to 127.0.0.1 or localhost).',
      },
    })
    const badMinutes = await dispatch('alerts.configure', { ...settings(), repeatMinutes: 0 })
    expect(badMinutes).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^Invalid request for alerts\.configure \(repeatMinutes\): [^.]*\.$/) },
    })
    const unknownKind = await dispatch('alerts.configure', {
      ...settings(),
      kinds: { ...DEFAULT_ALERT_SETTINGS.kinds, 'moon-phase': true },
    })
    expect(unknownKind).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })

    // A new service on the same database reads the stored settings; a configure without a URL keeps it.
    const again = service()
    expect(again.settings().webhook).toEqual({ configured: true, hint: 'https://hooks.example.com/…oken', format: 'slack' })
    const { webhook: _webhook, ...rest } = settings()
    again.configure({ ...rest, webhook: { format: 'discord' } })
    expect(service().settings().webhook).toEqual({ configured: true, hint: 'https://hooks.example.com/…oken', format: 'discord' })
  })

  it('sends a test alert past the switches and the repeat window', async () => {
    const alerts = service()
    alerts.configure(
      settings({
        desktop: false,
        webhook: { url: `${hook.url}/test`, format: 'json' },
        kinds: Object.fromEntries(Object.keys(DEFAULT_ALERT_SETTINGS.kinds).map((kind) => [kind, false])) as AlertConfigureRequest['kinds'],
      }),
    )
    expect(await dispatchFor(alerts)('alerts.test', {})).toEqual({ ok: true, value: { desktop: 'off', webhook: 'sent', message: null } })
    expect(await alerts.test()).toMatchObject({ webhook: 'sent' })
    expect(hook.requests.map((request) => (request.body as { kind: string }).kind)).toEqual(['test', 'test'])
    expect(shown).toEqual([])
  })
})
