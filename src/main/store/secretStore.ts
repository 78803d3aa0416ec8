import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Where grid API keys live. The desktop shell provides one backed by the OS keychain (safeStorage). */
export interface SecretStore {
  get(name: string): string | null
  set(name: string, value: string): void
  delete(name: string): void
}

/**
 * Headless secret store: one file per secret in a 0700 folder, each file 0600, so only the user running
 * GridForge can read it. Written atomically (temp file, then rename).
 */
export class FileSecretStore implements SecretStore {
  constructor(private readonly dir: string) {}

  get(name: string): string | null {
    try {
      return readFileSync(this.file(name), 'utf8').trim() || null
    } catch {
      return null
    }
  }

  set(name: string, value: string): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    chmodSync(this.dir, 0o700)
    const temp = `${this.file(name)}.${process.pid}.tmp`
    writeFileSync(temp, value, { mode: 0o600 })
    renameSync(temp, this.file(name))
  }

  delete(name: string): void {
    rmSync(this.file(name), { force: true })
  }

  private file(name: string): string {
    if (!/^[\w.-]+$/.test(name)) throw new Error('Invalid secret name.')
    return join(this.dir, `${name}.secret`)
  }
}
