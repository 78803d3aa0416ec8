import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { headlessSecrets } from '../../src/main/cli/headlessSecrets.js'
import { EncryptedSecretStore, type EncryptionBackend } from '../../src/main/electron/safeStorageSecrets.js'
import type { Host } from '../../src/main/host/createHost.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import type { EarnSnapshot, LocalApiSnapshot } from '../../src/shared/domain.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { freePort } from '../support/freePort.js'
import { tempDataDir } from '../support/paths.js'
import { testHost } from './hostHarness.js'

/** Stands in for safeStorage: reversible, and visibly not the plain text. */
const keychain: EncryptionBackend = {
  isEncryptionAvailable: () => true,
  encryptString: (plain) => Buffer.from([...Buffer.from(plain)].map((b) => b ^ 0x5a)),
  decryptString: (data) => Buffer.from([...data].map((b) => b ^ 0x5a)).toString(),
}

const KEY = 'dev-key-alice'
const HF = `hf_${'a'.repeat(24)}`
const temp = tempDataDir()
const secretsDir = join(temp.dir, 'secrets')
const told: string[] = []
let grid: DevGrid
let cli: Host

async function call<T>(host: Host, name: string, request: unknown = {}): Promise<T> {
  const result = await host.dispatch(name, request)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as T
}

const apiSettings = async () => ({ enabled: true, host: '127.0.0.1', port: await freePort(), corsOrigins: [] })

beforeAll(async () => {
  grid = await startDevGrid({ mode: 'aipg' })
  // The desktop app's host: every secret it keeps is encrypted by the keychain.
  const desktop = testHost(temp, { secrets: new EncryptedSecretStore(keychain, new FileSecretStore(secretsDir)) })
  await call(desktop, 'earn.configure', {
    network: 'aipg',
    gridUrl: grid.url,
    workerName: 'shared-rig',
    slots: 1,
    maxLength: 64,
    maxContextLength: 1024,
  })
  await call(desktop, 'earn.setApiKey', { network: 'aipg', apiKey: KEY })
  await call(desktop, 'models.setHfToken', { token: HF })
  await call(desktop, 'api.configure', await apiSettings())
  await desktop.close()
  grid.requests.length = 0
  // Then `gridforge serve` on the same data folder.
  cli = testHost(temp, { secrets: headlessSecrets(temp.dir, 'gridforge serve', (line) => told.push(line)) })
  await call(cli, 'engine.load', { path: temp.model })
})
afterAll(async () => {
  await cli?.close()
  await grid?.close()
  temp.cleanup()
})

describe('a data folder the desktop app encrypted, opened by gridforge serve', () => {
  it('asks for the grid key again and never sends its ciphertext to the grid', async () => {
    expect(readFileSync(join(secretsDir, 'aipg-api-key.secret'), 'utf8')).toMatch(/^enc:/)
    expect((await call<EarnSnapshot>(cli, 'earn.status')).apiKeyLastFour).toBeNull()
    const start = await cli.dispatch('earn.start', {})
    expect(start).toMatchObject({ ok: false, error: { message: 'Add your AIPG API key before you start earning.' } })
    expect(told.find((line) => line.startsWith('The AIPG API key'))).toMatch(
      /desktop app.*gridforge serve cannot read it; enter the AIPG API key again/,
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(grid.requests.filter((request) => request.credential?.startsWith('enc:'))).toEqual([])

    await call(cli, 'earn.setApiKey', { network: 'aipg', apiKey: KEY })
    expect(readFileSync(join(secretsDir, 'aipg-api-key.secret'), 'utf8')).toBe(KEY)
    expect((await call<EarnSnapshot>(cli, 'earn.status')).apiKeyLastFour).toBe('lice')
  })

  it('has no Hugging Face token until it is entered again', async () => {
    expect(await call(cli, 'models.hfToken')).toEqual({ hasToken: false })
    expect(told.some((line) => line.startsWith('The Hugging Face token'))).toBe(true)
  })

  it('gives the local API a new plain token that its clients can use, instead of the ciphertext', async () => {
    const api = await call<LocalApiSnapshot>(cli, 'api.configure', await apiSettings())
    const token = readFileSync(join(secretsDir, 'local-api-token.secret'), 'utf8')
    expect(token).not.toMatch(/^enc:/)
    const models = await fetch(`${api.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } })
    expect(models.status).toBe(200)
    expect(told.some((line) => line.startsWith('The local API token'))).toBe(true)
  })
})
