import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { AppError } from '../../shared/result.js'
import { migrations as allMigrations, type Migration } from './migrations/index.js'
import { newerSchema, unusableDatabase } from './databaseRecovery.js'

export interface DatabaseOptions {
  nativeBinding?: string
  /** Keep the WAL index in memory (no -shm file) and lock other processes out; for a disk with no room. */
  exclusive?: boolean
}

/**
 * The host's database. On a disk too full for SQLite's WAL index (the -shm file), it is opened again in
 * exclusive mode, which needs no new file space to read: `readOnly` is then true, every write fails with the
 * disk-full sentence, and writes simply succeed again once the disk has room (the same connection carries
 * on). A disk too full even for that (a new or not yet migrated database) throws the disk-full sentence.
 */
export function openAppDatabase(
  file: string,
  options: Omit<DatabaseOptions, 'exclusive'> = {},
): { db: Database.Database; readOnly: boolean } {
  try {
    return { db: openDatabase(file, allMigrations, options), readOnly: false }
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'NOT_ENOUGH_SPACE')) throw error
    return { db: openDatabase(file, allMigrations, { ...options, exclusive: true }), readOnly: true }
  }
}

/**
 * Opens (creating if needed) the app database, in WAL mode with foreign keys, and migrates it.
 * `nativeBinding` is the Electron-ABI addon the desktop app ships beside itself; Node (tests, `gridforge
 * serve`) keeps the one in node_modules, so neither build overwrites the other.
 */
export function openDatabase(
  file: string,
  migrations: readonly Migration[] = allMigrations,
  options: DatabaseOptions = {},
): Database.Database {
  let db: Database.Database
  try {
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
      // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database file's mode.
      if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600))
      else if (process.platform !== 'win32') {
        try {
          chmodSync(file, 0o600)
        } catch {
          // Another user's file, or no Unix modes: opening it decides what happens next.
        }
      }
    }
    db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
  } catch (error) {
    throw unusableDatabase(error, file)
  }
  try {
    // Before the first read: in exclusive mode SQLite keeps the WAL index in memory, not in the -shm file.
    if (options.exclusive) db.pragma('locking_mode = EXCLUSIVE')
  } catch (error) {
    db.close()
    throw unusableDatabase(error, file)
  }
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    // NORMAL is durable across app crashes in WAL mode; only a power loss can drop the last commits.
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    // 16 MB of page cache (the default is 2 MB): the random message ids' indexes outgrow 2 MB in a long
    // history, and every insert then rereads and spills pages (a 100,000-message import spent most of its time there).
    db.pragma('cache_size = -16384')
    if (file !== ':memory:') backupBeforeMigrating(db, file, migrations)
    migrate(db, migrations, file)
    return db
  } catch (error) {
    db.close()
    throw unusableDatabase(error, file)
  }
}

/**
 * Copies the database to `<file>.backup-v<old>-<timestamp>` before an older schema is migrated, so a
 * migration that goes wrong (or a downgrade) never costs the user their history. VACUUM INTO writes a
 * consistent, compact copy synchronously (better-sqlite3's `backup()` is asynchronous, and the host opens
 * its database synchronously). Returns the backup's path, or null when none was needed.
 */
export function backupBeforeMigrating(
  db: Database.Database,
  file: string,
  migrations: readonly Migration[],
  now: () => number = Date.now,
): string | null {
  const current = db.pragma('user_version', { simple: true }) as number
  const latest = migrations.at(-1)?.version ?? 0
  if (current === 0 || current >= latest) return null
  const target = `${file}.backup-v${current}-${now()}`
  try {
    db.prepare('VACUUM INTO ?').run(target)
  } catch (error) {
    throw new AppError(
      'STORAGE_FAILED',
      `Could not back up the database before updating it (${error instanceof Error ? error.message : String(error)}); free some disk space and start again.`,
    )
  }
  return target
}

/** Applies the migrations newer than the database's `user_version`, each in its own transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[], file = db.name): void {
  const current = db.pragma('user_version', { simple: true }) as number
  const latest = migrations.at(-1)?.version ?? 0
  if (current > latest) throw newerSchema(file, current)
  for (const migration of migrations) {
    if (migration.version <= current) continue
    db.transaction(() => {
      migration.up(db)
      db.pragma(`user_version = ${migration.version}`)
    })()
  }
}
