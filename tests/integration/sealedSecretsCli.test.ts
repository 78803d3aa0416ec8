import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EncryptedSecretStore, type EncryptionBackend } from '../../src/main/electron/safeStorageSecrets.js'
import { WorkerIdentityService } from '../../src/main/identity/workerIdentityService.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import { runGridforge } from '../support/cliRun.js'
import { tempDataDir } from '../support/paths.js'

/** Stands in for safeStorage: reversible, and visibly not the plain text. */
const keychain: EncryptionBackend = {
  isEncryptionAvailable: () => true,
  encryptString: (plain) => Buffer.from([...Buffer.from(plain)].map((b) => b ^ 0x5a)),
  decryptString: (data) => Buffer.from([...data].map((b) => b ^ 0x5a)).toString(),
}

// A data folder the desktop app set up: its grid key and worker key are encrypted by the keychain.
const temp = tempDataDir()
const secretsDir = join(temp.dir, 'secrets')
const desktop = new EncryptedSecretStore(keychain, new FileSecretStore(secretsDir))
desktop.set('aipg-api-key', 'grid-key-1234567')
new WorkerIdentityService({ secrets: desktop }).address()
const workerKeyFile = join(secretsDir, 'aipg-worker-key.secret')
const workerKeyBefore = readFileSync(workerKeyFile, 'utf8')
afterAll(() => temp.cleanup())

describe('the command line on a data folder the desktop app encrypted', () => {
  it('gridforge worker refuses the encrypted key file in one sentence before it reaches any grid', async () => {
    const result = await runGridforge(temp.dir, [
      'worker',
      '--network',
      'aipg',
      '--grid-url',
      'http://127.0.0.1:9',
      '--api-key-file',
      join(secretsDir, 'aipg-api-key.secret'),
      '--model',
      temp.model,
      '--name',
      'shared-rig',
    ])
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toMatch(
      /^gridforge: The API key file .* holds a key the GridForge desktop app encrypted .*; pass a file holding the plain key\.$/,
    )
  })

  it('gridforge identity show says the worker key belongs to the desktop app and makes no new one', async () => {
    const result = await runGridforge(temp.dir, ['identity', 'show'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/The worker key in .* was saved by the GridForge desktop app.*gridforge identity cannot read it/)
    expect(readFileSync(workerKeyFile, 'utf8')).toBe(workerKeyBefore)
  })

  it('gridforge status reports the identity as unreadable, with the reason', async () => {
    const result = await runGridforge(temp.dir, ['status', '--json'])
    const status = JSON.parse(result.stdout) as { identity: { state: string; problem: string } }
    expect(status.identity.state).toBe('unreadable')
    expect(status.identity.problem).toMatch(/saved by the GridForge desktop app/)
  })
})
