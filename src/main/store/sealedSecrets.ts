import { AppError } from '../../shared/result.js'
import type { FileSecretStore, SecretStore } from './secretStore.js'

/**
 * What a secret file starts with when the desktop app encrypted it with the OS keychain (Electron's
 * safeStorage, `electron/safeStorageSecrets.ts`). Only that process, on this OS account, can decrypt it.
 */
export const DESKTOP_SEALED_PREFIX = 'enc:'

/** True when a stored value is the desktop app's ciphertext rather than the secret itself. */
export function isDesktopSealed(stored: string): boolean {
  return stored.startsWith(DESKTOP_SEALED_PREFIX)
}

/** How one secret is named to the user, and what they can do when this shell cannot read it. */
export interface SealedSecretWords {
  label: string
  remedy: string
}

export interface SealedSecretPolicy {
  /** The shell in the sentence ("gridforge serve"). */
  shell: string
  words(name: string): SealedSecretWords
  /**
   * Secrets that must not read as missing: the caller would make a new one and overwrite the file the
   * desktop app still uses (the worker key, whose delegation the user signed).
   */
  irreplaceable: ReadonlySet<string>
  /** Says the sentence to the user once per secret (stderr in the CLI). */
  tell(sentence: string): void
}

/**
 * The secret store of the shells that have no OS keychain (`gridforge serve`, `worker`, `chat`,
 * `models`, `identity`, `status`) on a data folder the desktop app also uses. A secret the desktop app
 * encrypted is never handed out as its ciphertext (it would be sent to the grid, Hugging Face or API
 * clients as if it were the key): it reads as missing, so the UI asks for it again, and the user is told
 * why in one sentence. A secret entered here is kept as a 0600 file, which the desktop app reads too.
 */
export class HeadlessSecretStore implements SecretStore {
  private readonly told = new Set<string>()

  constructor(
    private readonly files: FileSecretStore,
    private readonly policy: SealedSecretPolicy,
  ) {}

  get(name: string): string | null {
    const stored = this.files.get(name)
    if (stored === null || !isDesktopSealed(stored)) return stored
    const sentence = this.sentence(name)
    if (this.policy.irreplaceable.has(name)) throw new AppError('STORAGE_FAILED', sentence)
    if (!this.told.has(name)) {
      this.told.add(name)
      this.policy.tell(sentence)
    }
    return null
  }

  set(name: string, value: string): void {
    if (this.policy.irreplaceable.has(name)) {
      const stored = this.files.get(name)
      if (stored !== null && isDesktopSealed(stored)) throw new AppError('STORAGE_FAILED', this.sentence(name))
    }
    this.files.set(name, value)
  }

  delete(name: string): void {
    this.files.delete(name)
  }

  private sentence(name: string): string {
    const { label, remedy } = this.policy.words(name)
    return `The ${label} in ${this.files.file(name)} was saved by the GridForge desktop app, encrypted with this account's keychain, and ${this.policy.shell} cannot read it; ${remedy}.`
  }
}
