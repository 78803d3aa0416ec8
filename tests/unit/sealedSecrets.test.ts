import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { headlessSecrets } from '../../src/main/cli/headlessSecrets.js'
import { readKeyFile } from '../../src/main/cli/options.js'
import { EncryptedSecretStore, type EncryptionBackend } from '../../src/main/electron/safeStorageSecrets.js'
import { WorkerIdentityService } from '../../src/main/identity/workerIdentityService.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** Stands in for the OS keychain: reversible, and visibly not the plain text. */
const keychain: EncryptionBackend = {
  isEncryptionAvailable: () => true,
  encryptString: (plain) => Buffer.from([...Buffer.from(plain)].map((b) => b ^ 0x5a)),
  decryptString: (data) => Buffer.from([...data].map((b) => b ^ 0x5a)).toString(),
}

/** One data folder, as the desktop app and the CLI share it. */
function dataFolder() {
  const dir = mkdtempSync(join(tmpdir(), 'gf-shared-'))
  dirs.push(dir)
  const secretsDir = join(dir, 'secrets')
  const told: string[] = []
  return {
    dir,
    secretsDir,
    told,
    desktop: new EncryptedSecretStore(keychain, new FileSecretStore(secretsDir)),
    cli: (shell = 'gridforge serve') => headlessSecrets(dir, shell, (line) => told.push(line)),
  }
}

describe('secrets the desktop app encrypted, read by the command line', () => {
  it('read as missing, never as their ciphertext, and the user is told once which secret and why', () => {
    const folder = dataFolder()
    folder.desktop.set('aipg-api-key', 'grid-key-1234567')
    const ciphertext = readFileSync(join(folder.secretsDir, 'aipg-api-key.secret'), 'utf8')
    expect(ciphertext.startsWith('enc:')).toBe(true)

    const cli = folder.cli()
    expect(cli.get('aipg-api-key')).toBeNull()
    expect(cli.get('aipg-api-key')).toBeNull()
    expect(folder.told).toHaveLength(1)
    expect(folder.told[0]).toMatch(/^The AIPG API key in .*aipg-api-key\.secret was saved by the GridForge desktop app/)
    expect(folder.told[0]).toMatch(/gridforge serve cannot read it; enter the AIPG API key again in the Earn view/)
    expect(folder.told[0]).not.toContain(ciphertext.slice(4, 20))
  })

  it('names the Hugging Face and local API tokens in their own words', () => {
    const folder = dataFolder()
    folder.desktop.set('huggingface-token', 'hf_abcdefghijkl')
    folder.desktop.set('local-api-token', 'local-token-abcdef')
    const cli = folder.cli('gridforge models')
    expect(cli.get('huggingface-token')).toBeNull()
    expect(cli.get('local-api-token')).toBeNull()
    expect(folder.told[0]).toMatch(
      /^The Hugging Face token .* gridforge models cannot read it; enter the token again in the Models view\.$/,
    )
    expect(folder.told[1]).toMatch(/^The local API token .* makes a new token when it starts here/)
  })

  it('entered again on the command line, is a 0600 plain file that the desktop app reads too', () => {
    const folder = dataFolder()
    folder.desktop.set('aipg-api-key', 'old-key-encrypted')
    folder.cli().set('aipg-api-key', 'new-key-entered-here')
    const file = join(folder.secretsDir, 'aipg-api-key.secret')
    expect(readFileSync(file, 'utf8')).toBe('new-key-entered-here')
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(folder.desktop.get('aipg-api-key')).toBe('new-key-entered-here')
    expect(folder.cli().get('aipg-api-key')).toBe('new-key-entered-here')
  })

  it('leave plain secrets alone: what the CLI wrote reads back as it is', () => {
    const folder = dataFolder()
    const cli = folder.cli()
    cli.set('horde-api-key', 'horde-key-000000')
    expect(cli.get('horde-api-key')).toBe('horde-key-000000')
    expect(folder.told).toEqual([])
  })

  it('keep the desktop worker key: the identity says why it cannot sign here and no new key replaces it', () => {
    const folder = dataFolder()
    const desktopIdentity = new WorkerIdentityService({ secrets: folder.desktop })
    const address = desktopIdentity.address()
    const file = join(folder.secretsDir, 'aipg-worker-key.secret')
    const before = readFileSync(file, 'utf8')

    const cli = folder.cli('gridforge worker')
    expect(() => new WorkerIdentityService({ secrets: cli }).status()).toThrow(
      /^The worker key in .* was saved by the GridForge desktop app.*gridforge worker cannot read it; manage the worker identity from the desktop app/,
    )
    expect(() => cli.set('aipg-worker-key', 'ab'.repeat(32))).toThrow(/desktop app/)
    expect(readFileSync(file, 'utf8')).toBe(before)
    expect(new WorkerIdentityService({ secrets: folder.desktop }).address()).toBe(address)
  })
})

describe('a key file for gridforge worker', () => {
  it('holding the desktop app ciphertext is refused in one sentence instead of being sent', () => {
    const folder = dataFolder()
    folder.desktop.set('aipg-api-key', 'grid-key-1234567')
    expect(() => readKeyFile(join(folder.secretsDir, 'aipg-api-key.secret'), 'API key')).toThrow(
      /^The API key file .* holds a key the GridForge desktop app encrypted .*; pass a file holding the plain key\.$/,
    )
  })

  it('holding the plain key is read', () => {
    const folder = dataFolder()
    mkdirSync(folder.secretsDir, { recursive: true })
    const file = join(folder.dir, 'key.txt')
    writeFileSync(file, 'plain-key-1234\n')
    expect(readKeyFile(file, 'API key')).toBe('plain-key-1234')
  })
})
