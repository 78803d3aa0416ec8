import type { SecretStore } from '../store/secretStore.js'

/** The part of Electron's `safeStorage` this store uses (injected, so it is testable without Electron). */
export interface EncryptionBackend {
  isEncryptionAvailable(): boolean
  encryptString(plain: string): Buffer
  decryptString(encrypted: Buffer): string
}

/**
 * Secrets encrypted with the OS keychain (Keychain, DPAPI, libsecret) before they reach the 0600 files of
 * the headless store underneath. Where the OS offers no encryption it falls back to those files alone,
 * which is what the headless host uses anyway.
 */
export class EncryptedSecretStore implements SecretStore {
  constructor(
    private readonly backend: EncryptionBackend,
    private readonly files: SecretStore,
  ) {}

  get(name: string): string | null {
    const stored = this.files.get(name)
    if (stored === null) return null
    if (!stored.startsWith('enc:')) return stored
    if (!this.backend.isEncryptionAvailable()) return null
    try {
      return this.backend.decryptString(Buffer.from(stored.slice(4), 'base64'))
    } catch {
      // Encrypted by another OS account or machine: unreadable, so ask the user for the key again.
      return null
    }
  }

  set(name: string, value: string): void {
    const stored = this.backend.isEncryptionAvailable() ? `enc:${this.backend.encryptString(value).toString('base64')}` : value
    this.files.set(name, stored)
  }

  delete(name: string): void {
    this.files.delete(name)
  }
}
