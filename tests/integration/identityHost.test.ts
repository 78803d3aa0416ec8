import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { startServe, type ServeProcess } from '../support/serveProcess.js'
import { TestClient } from '../support/wsClient.js'

const temp = tempDataDir()
const wallet = privateKeyToAccount(generatePrivateKey())
const stranger = privateKeyToAccount(generatePrivateKey())
let grid: DevGrid
let serve: ServeProcess

beforeAll(async () => {
  requireBuild()
  grid = await startDevGrid({
    mode: 'aipg',
    keys: { 'dev-key-alice': { user: 'alice#1', scopes: ['worker.connect'], payoutWallet: wallet.address } },
  })
  serve = await startServe(temp.dir)
})
afterAll(async () => {
  await serve.stop()
  await grid.close()
  temp.cleanup()
})

describe("the worker identity from the host (the Earn view's Identity panel)", () => {
  it('shows the address, never the key; installs only a signature by the payout wallet; the miner then signs its results', async () => {
    const client = await TestClient.connect(serve.url, serve.token)
    const first = await client.value('identity.status', {})
    expect(first).toMatchObject({ state: 'none', delegation: null, pending: null, address: expect.stringMatching(/^0x[0-9a-f]{40}$/) })
    const key = readFileSync(join(temp.dir, 'secrets', 'aipg-worker-key.secret'), 'utf8').trim()

    expect(await client.call('identity.request', { payoutWallet: wallet.address, workerName: 'host-signed', validDays: 0 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    })
    const request = await client.value('identity.request', { payoutWallet: wallet.address, workerName: 'host-signed', validDays: 90 })
    expect(request.message.startsWith('aipg-worker-delegation:v1:{"audience":"api.aipowergrid.io"')).toBe(true)
    expect(request.payload).toMatchObject({
      payout_wallet: wallet.address.toLowerCase(),
      worker_signer: first.address,
      worker_name: 'host-signed',
    })
    await client.waitFor('identity.status', (s) => s.pending?.workerName === 'host-signed')

    const wrong = await client.call('identity.install', { signature: await stranger.signMessage({ message: request.message }) })
    expect(wrong).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: `The signature was made by ${stranger.address.toLowerCase()}, not by the payout wallet ${wallet.address.toLowerCase()}; sign the message with the payout wallet's account.`,
      },
    })
    const cut = await client.call('identity.install', { signature: (await wallet.signMessage({ message: request.message })).slice(0, 100) })
    expect(cut).toMatchObject({ ok: false, error: { message: expect.stringMatching(/looks cut off/) } })

    const installed = await client.value('identity.install', { signature: await wallet.signMessage({ message: request.message }) })
    expect(installed).toMatchObject({
      state: 'installed',
      address: first.address,
      pending: null,
      delegation: { payoutWallet: wallet.address.toLowerCase(), workerName: 'host-signed' },
    })
    await client.waitFor('identity.status', (s) => s.state === 'installed')

    await client.value('engine.load', { path: temp.model })
    await client.value('earn.configure', {
      network: 'aipg',
      gridUrl: grid.url,
      workerName: 'host-signed',
      slots: 1,
      maxLength: 64,
      maxContextLength: 1024,
    })
    await client.value('earn.setApiKey', { network: 'aipg', apiKey: 'dev-key-alice' })
    const id = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 30 } })
    await client.value('earn.start', {})
    await grid.waitFor(() => grid.aipg.results.get(id)?.acked !== undefined, 30_000, 'the job to settle')
    await client.value('earn.stop', {})
    expect(grid.aipg.registrations.at(-1)).toMatchObject({
      name: 'host-signed',
      worker_identity: { payload: { worker_signer: first.address } },
    })
    expect(grid.aipg.results.get(id)).toMatchObject({ signed: true })

    const seen = JSON.stringify(client.events)
    expect(seen).not.toContain(key)
    expect(seen).not.toContain('Once upon a time')
    client.close()
  })
})
