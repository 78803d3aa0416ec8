import { copyFileSync, existsSync, readdirSync, renameSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { AppError } from '../../shared/result.js'

/** The ways out of a database GridForge cannot open. */
export type RecoveryMode = 'backup' | 'fresh'
export const RECOVERY_MODES: readonly RecoveryMode[] = ['backup', 'fresh']

/** A database that opens only through a way out: damaged, or written by a newer GridForge. */
export class UnusableDatabaseError extends AppError {
  constructor(
    readonly kind: 'damaged' | 'newer',
    message: string,
  ) {
    super('STORAGE_FAILED', message)
  }
}

/** What stops the database from opening, in one sentence with the way out; anything else is returned as it is. */
export function unusableDatabase(error: unknown, file: string): unknown {
  if (error instanceof AppError) return error
  const code = String((error as { code?: unknown }).code ?? '')
  const name = basename(file)
  if (['SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE', 'SQLITE_IOERR_SHMMAP', 'ENOSPC', 'EDQUOT'].includes(code)) {
    return new AppError(
      'NOT_ENOUGH_SPACE',
      `The disk holding ${dirname(file)} is full, so GridForge cannot open its history; free some space and start again.`,
    )
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new UnusableDatabaseError(
      'damaged',
      `The history database ${name} is damaged; start with --recover backup to open the latest backup, or --recover fresh to begin a new one (the damaged file is kept beside it).`,
    )
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || ['EACCES', 'EPERM', 'EROFS'].includes(code)) {
    return new AppError(
      'STORAGE_FAILED',
      `GridForge cannot write its data folder ${dirname(file)}; check its permissions, or pick another folder with --data-dir.`,
    )
  }
  return error
}

/** The sentence for a database written by a newer GridForge (a newer schema than this app knows). */
export function newerSchema(file: string, version: number): AppError {
  return new UnusableDatabaseError(
    'newer',
    `${basename(file)} was written by a newer GridForge (schema ${version}); update GridForge, or start with --recover backup or --recover fresh (the file is kept beside it).`,
  )
}

/** The newest `<file>.backup-v<n>-<time>` beside the database, or null. */
export function latestBackup(file: string): string | null {
  const prefix = `${basename(file)}.backup-v`
  const backups = readdirSync(dirname(file))
    .map((name) => ({ name, time: Number(/-(\d+)$/.exec(name)?.[1] ?? Number.NaN) }))
    .filter(({ name, time }) => name.startsWith(prefix) && Number.isFinite(time))
    .sort((a, b) => b.time - a.time)
  return backups[0] ? join(dirname(file), backups[0].name) : null
}

/**
 * Moves the database (and its WAL files) aside as `<file>.damaged-<time>`, never deleting it, then puts
 * the latest backup in its place (`backup`) or leaves the place empty for a new database (`fresh`).
 * Returns a sentence saying what was done.
 */
export function recoverDatabase(file: string, mode: RecoveryMode, now: () => number = Date.now): string {
  const backup = mode === 'backup' ? latestBackup(file) : null
  if (mode === 'backup' && !backup)
    throw new AppError('NOT_FOUND', `There is no backup of ${basename(file)} to open; start with --recover fresh instead.`)
  const aside = `${file}.damaged-${now()}`
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix)
  if (backup) copyFileSync(backup, file)
  const kept = existsSync(aside) ? ` The old file is kept as ${basename(aside)}.` : ''
  return backup ? `Opened the backup ${basename(backup)}.${kept}` : `Started a new history.${kept}`
}
