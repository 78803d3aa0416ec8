import { DESKTOP_SEALED_PREFIX, isDesktopSealed } from '../store/sealedSecrets.js'
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
 * which is what the headless host uses anyway. A plain file (written by `gridforge serve` on the same data
 * folder) is read as it is, so both shells agree on a secret entered in either.
 */
export class EncryptedSecretStore implements SecretStore {
  private readonly told = new Set<string>()

  constructor(
    private readonly backend: EncryptionBackend,
    private readonly files: SecretStore,
    /** Told once per secret that is encrypted but cannot be decrypted here (the log). */
    private readonly tell: (line: string) => void = () => undefined,
  ) {}

  get(name: string): string | null {
    const stored = this.files.get(name)
    if (stored === null) return null
    if (!isDesktopSealed(stored)) return stored
    if (!this.backend.isEncryptionAvailable()) return this.unreadable(name, 'the OS keychain is not available now')
    try {
      return this.backend.decryptString(Buffer.from(stored.slice(DESKTOP_SEALED_PREFIX.length), 'base64'))
    } catch {
      return this.unreadable(name, 'it was encrypted by another OS account or machine')
    }
  }

  set(name: string, value: string): void {
    const stored = this.backend.isEncryptionAvailable()
      ? `${DESKTOP_SEALED_PREFIX}${this.backend.encryptString(value).toString('base64')}`
      : value
    this.files.set(name, stored)
  }

  delete(name: string): void {
    this.files.delete(name)
  }

  storage(): 'encrypted' | 'private-file' {
    return this.backend.isEncryptionAvailable() ? 'encrypted' : 'private-file'
  }

  /** Unreadable reads as missing, so the UI asks for the secret again. */
  private unreadable(name: string, why: string): null {
    if (!this.told.has(name)) {
      this.told.add(name)
      this.tell(`the saved secret "${name}" cannot be decrypted (${why}); it reads as missing until it is entered again`)
    }
    return null
  }
}
