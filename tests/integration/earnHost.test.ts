import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'
import { TestClient } from '../support/wsClient.js'

const temp = tempDataDir()
let grid: DevGrid
let serve: ServeProcess

beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({ mode: 'aipg' })
  serve = await startServe(temp.dir)
})
afterAll(async () => {
  await serve.stop()
  await grid.close()
  temp.cleanup()
})

describe("earning from the host (the Earn view's calls)", () => {
  it('keeps the API key out of the UI, starts, streams job state, records jobs and stops', async () => {
    const client = await TestClient.connect(serve.url, serve.token)
    expect(await client.call('earn.start', {})).toMatchObject({ ok: false, error: { code: 'NO_MODEL' } })
    await client.value('engine.load', { path: temp.model })
    expect(await client.call('earn.start', {})).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/API key/) },
    })

    await client.value('earn.configure', {
      network: 'aipg',
      gridUrl: grid.url,
      workerName: 'host-rig',
      slots: 1,
      maxLength: 128,
      maxContextLength: 1024,
    })
    const keyed = await client.value('earn.setApiKey', { network: 'aipg', apiKey: 'dev-key-alice' })
    expect(keyed.apiKeyLastFour).toBe('lice')
    expect(JSON.stringify(keyed)).not.toContain('dev-key-alice')
    const secret = statSync(join(temp.dir, 'secrets', 'aipg-api-key.secret'))
    expect(secret.mode & 0o777).toBe(0o600)

    const ids = [0, 1].map(() =>
      grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 30 } }),
    )
    expect((await client.value('earn.start', {})).state).toBe('connecting')
    await client.waitFor('earn.snapshot', (s) => s.state === 'working' && s.running.length === 1)
    await client.waitFor('earn.snapshot', (s) => s.sinceStart.jobs === 2 && s.sinceStart.rewards > 0)
    expect(grid.aipg.registrations.at(-1)).toMatchObject({ name: 'host-rig', models: ['grid/stories260K'] })

    const log = await client.value('earn.jobs', { limit: 10 })
    expect(log.map((job) => job.jobId).sort()).toEqual([...ids].sort())
    expect(log.every((job) => job.state === 'ok' && job.completionTokens > 0)).toBe(true)

    expect(
      await client.call('earn.configure', {
        network: 'horde',
        gridUrl: '',
        workerName: 'x',
        slots: 1,
        maxLength: 128,
        maxContextLength: 1024,
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'BUSY' },
    })
    await client.value('earn.stop', {})
    await client.waitFor('earn.snapshot', (s) => s.state === 'off')
    const events = JSON.stringify(client.events)
    expect(events).not.toContain('dev-key-alice')
    expect(events).not.toContain('Once upon a time')
    client.close()
  })

  it('stops mining cleanly, saying why, when the model is unloaded', async () => {
    const client = await TestClient.connect(serve.url, serve.token)
    await client.value('engine.load', { path: temp.model })
    await client.value('earn.start', {})
    await client.waitFor('earn.snapshot', (s) => s.state === 'waiting')
    await client.value('engine.unload', {})
    // waitFor scans every event of this client, and earlier ones (account totals) also say 'off'.
    const stopped = await client.waitFor('earn.snapshot', (s) => s.state === 'off' && s.detail !== null)
    expect(stopped.detail).toMatch(/model was unloaded/)
    client.close()
  })

  it('refuses a malformed configuration', async () => {
    const client = await TestClient.connect(serve.url, serve.token)
    for (const bad of [
      { network: 'dogecoin', gridUrl: '', workerName: 'x', slots: 1, maxLength: 128, maxContextLength: 1024 },
      { network: 'aipg', gridUrl: 'file:///etc/passwd', workerName: 'x', slots: 1, maxLength: 128, maxContextLength: 1024 },
      { network: 'aipg', gridUrl: '', workerName: '<script>', slots: 1, maxLength: 128, maxContextLength: 1024 },
      { network: 'aipg', gridUrl: '', workerName: 'x', slots: 99, maxLength: 128, maxContextLength: 1024 },
    ]) {
      expect(await client.raw({ id: 1, name: 'earn.configure', request: bad })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    }
    client.close()
  })
})
