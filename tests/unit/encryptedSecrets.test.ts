import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import { EncryptedSecretStore, type EncryptionBackend } from '../../src/main/electron/safeStorageSecrets.js'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** Stands in for the OS keychain: reversible, and visibly not the plain text. */
const fakeKeychain = (available = true): EncryptionBackend => ({
  isEncryptionAvailable: () => available,
  encryptString: (plain) => Buffer.from([...Buffer.from(plain)].map((b) => b ^ 0x5a)),
  decryptString: (data) => Buffer.from([...data].map((b) => b ^ 0x5a)).toString(),
})

function stores(backend: EncryptionBackend) {
  const dir = mkdtempSync(join(tmpdir(), 'gf-secrets-'))
  dirs.push(dir)
  return { dir, store: new EncryptedSecretStore(backend, new FileSecretStore(dir)) }
}

describe('desktop secret store', () => {
  it('keeps API keys encrypted on disk and reads them back', () => {
    const { dir, store } = stores(fakeKeychain())
    store.set('aipg-api-key', 'my-secret-key-1234')
    expect(readFileSync(join(dir, 'aipg-api-key.secret'), 'utf8')).not.toContain('my-secret-key-1234')
    expect(store.get('aipg-api-key')).toBe('my-secret-key-1234')
  })

  it('treats a key encrypted elsewhere as missing instead of failing', () => {
    const { dir } = stores(fakeKeychain())
    const writer = new EncryptedSecretStore(fakeKeychain(), new FileSecretStore(dir))
    writer.set('k', 'value')
    const broken: EncryptionBackend = {
      ...fakeKeychain(),
      decryptString: () => {
        throw new Error('wrong keychain')
      },
    }
    expect(new EncryptedSecretStore(broken, new FileSecretStore(dir)).get('k')).toBeNull()
  })

  it('falls back to the 0600 file where the OS has no keychain', () => {
    const { store } = stores(fakeKeychain(false))
    store.set('k', 'plain-value')
    expect(store.get('k')).toBe('plain-value')
  })
})
