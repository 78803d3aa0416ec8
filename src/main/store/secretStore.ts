import * as nodeFs from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/result.js'
import { diskFullError, isDiskFull } from './storageErrors.js'

/** Where grid API keys live. The desktop shell provides one backed by the OS keychain (safeStorage). */
export interface SecretStore {
  get(name: string): string | null
  set(name: string, value: string): void
  delete(name: string): void
  /** How a secret saved now is kept, as the UI describes it; absent means the 0600 files. */
  storage?(): SecretStorage
}

/** Encrypted with the OS keychain (the desktop app), or a private file only this OS user can read (headless). */
export type SecretStorage = 'encrypted' | 'private-file'

/** The file-system calls the store makes (replaceable in tests, e.g. to simulate a full disk). */
export type SecretFiles = Pick<
  typeof nodeFs,
  'chmodSync' | 'mkdirSync' | 'readFileSync' | 'renameSync' | 'rmSync' | 'statSync' | 'writeFileSync'
>

/** Longer than any key, token or certificate GridForge stores; a bigger file is not one of ours. */
const MAX_SECRET_BYTES = 64 * 1024

/**
 * Headless secret store: one file per secret in a 0700 folder, each file 0600, so only the user running
 * GridForge can read it. Written atomically (temp file, then rename). A file others could read (or
 * replace) and a value that is not text GridForge wrote are refused rather than used: a key someone else
 * can see is no longer a secret, and a planted one would make the worker earn for someone else.
 */
export class FileSecretStore implements SecretStore {
  constructor(
    private readonly dir: string,
    private readonly fs: SecretFiles = nodeFs,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  get(name: string): string | null {
    const file = this.file(name)
    let info: nodeFs.Stats
    try {
      info = this.fs.statSync(file)
    } catch {
      return null
    }
    if (this.platform !== 'win32') {
      if ((info.mode & 0o077) !== 0) {
        throw new AppError(
          'STORAGE_FAILED',
          `The secret file ${file} can be read or changed by other users (mode ${(info.mode & 0o777).toString(8)}), so GridForge does not use it; run chmod 600 on it, or delete it and enter the key again.`,
        )
      }
      const uid = process.getuid?.()
      if (uid !== undefined && info.uid !== uid) {
        throw new AppError(
          'STORAGE_FAILED',
          `The secret file ${file} belongs to another user, so GridForge does not use it; delete it and enter the key again.`,
        )
      }
    }
    if (info.size > MAX_SECRET_BYTES) throw malformed(file)
    let value: string
    try {
      value = this.fs.readFileSync(file, 'utf8').trim()
    } catch {
      return null
    }
    // Control characters or bytes that are not UTF-8 (decoded as U+FFFD) mean the file is damaged or not ours.
    if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f' || c === '\ufffd')) throw malformed(file)
    return value || null
  }

  set(name: string, value: string): void {
    const file = this.file(name)
    const temp = `${file}.${process.pid}.tmp`
    try {
      this.fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 })
      this.fs.chmodSync(this.dir, 0o700)
      this.fs.writeFileSync(temp, value, { mode: 0o600 })
      this.fs.renameSync(temp, file)
    } catch (error) {
      this.fs.rmSync(temp, { force: true })
      if (isDiskFull(error)) throw diskFullError()
      throw error
    }
  }

  delete(name: string): void {
    this.fs.rmSync(this.file(name), { force: true })
  }

  /** The file a secret is kept in (named in sentences that tell the user about it). */
  file(name: string): string {
    if (!/^[\w.-]+$/.test(name)) throw new Error('Invalid secret name.')
    return join(this.dir, `${name}.secret`)
  }
}

function malformed(file: string): AppError {
  return new AppError(
    'STORAGE_FAILED',
    `The secret file ${file} does not hold a value GridForge wrote, so it is not used; delete it and enter the key again.`,
  )
}
