import * as fs from 'node:fs'
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { makeDataDirPrivate } from '../../src/main/host/dataDir.js'
import { openDatabase } from '../../src/main/store/database.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import { SettingsRepository } from '../../src/main/store/settingsRepository.js'
import { DISK_FULL_SENTENCE } from '../../src/main/store/storageErrors.js'
import { tempDataDir } from '../support/paths.js'

let temp: ReturnType<typeof tempDataDir>
beforeEach(() => {
  temp = tempDataDir()
})
afterEach(() => temp.cleanup())

const mode = (path: string) => statSync(path).mode & 0o777
const unix = process.platform !== 'win32'

describe.runIf(unix)('files only their owner can read', () => {
  it('makes the data folder 0700 and the database files and logs in it 0600', () => {
    const dir = join(temp.dir, 'data')
    mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o755 })
    chmodSync(dir, 0o755)
    writeFileSync(join(dir, 'logs', 'main.log'), 'a line\n', { mode: 0o644 })
    writeFileSync(join(dir, 'gridforge.db-backup-v1-1'), '', { mode: 0o644 })
    makeDataDirPrivate(dir)
    const db = openDatabase(join(dir, 'gridforge.db'))
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', 0)").run()
    try {
      expect(mode(dir)).toBe(0o700)
      expect(mode(join(dir, 'logs'))).toBe(0o700)
      expect(mode(join(dir, 'logs', 'main.log'))).toBe(0o600)
      const dbFiles = readdirSync(dir).filter((name) => name.startsWith('gridforge.db'))
      expect(dbFiles).toEqual(expect.arrayContaining(['gridforge.db', 'gridforge.db-wal', 'gridforge.db-backup-v1-1']))
      for (const name of dbFiles) expect([name, mode(join(dir, name))]).toEqual([name, 0o600])
    } finally {
      db.close()
    }
  })

  it('refuses a secret file others can read, or one that holds something GridForge did not write', () => {
    const dir = join(temp.dir, 'secrets')
    const store = new FileSecretStore(dir)
    store.set('grid-key', 'dev-key-alice')
    expect(mode(join(dir, 'grid-key.secret'))).toBe(0o600)
    expect(store.get('grid-key')).toBe('dev-key-alice')
    chmodSync(join(dir, 'grid-key.secret'), 0o644)
    expect(() => store.get('grid-key')).toThrow(
      /grid-key\.secret can be read or changed by other users \(mode 644\), so GridForge does not use it; run chmod 600/,
    )
    writeFileSync(join(dir, 'bad.secret'), Buffer.from([0x6b, 0x65, 0x79, 0x00, 0xff, 0xfe]), { mode: 0o600 })
    expect(() => store.get('bad')).toThrow(/bad\.secret does not hold a value GridForge wrote, so it is not used/)
  })
})

describe('writes on a full disk', () => {
  it('a secret write answers NOT_ENOUGH_SPACE with the disk-full sentence and leaves no .tmp file', () => {
    const dir = join(temp.dir, 'secrets')
    const full: typeof fs.writeFileSync = (file, data, options) => {
      // A full disk takes the first bytes, then refuses the rest.
      fs.writeFileSync(file, String(data).slice(0, 3), options)
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    }
    const store = new FileSecretStore(dir, { ...fs, writeFileSync: full })
    expect(() => store.set('grid-key', 'dev-key-alice')).toThrow(
      expect.objectContaining({ code: 'NOT_ENOUGH_SPACE', message: DISK_FULL_SENTENCE }),
    )
    expect(readdirSync(dir)).toEqual([])
  })

  it('a settings write answers NOT_ENOUGH_SPACE with the same sentence', () => {
    const db = openDatabase(join(temp.dir, 'gridforge.db'))
    try {
      const settings = new SettingsRepository(db)
      // SQLite's page limit makes the next write fail with SQLITE_FULL, exactly as a full disk does.
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`)
      expect(() => settings.set('big', 'x'.repeat(100_000))).toThrow(
        expect.objectContaining({ code: 'NOT_ENOUGH_SPACE', message: DISK_FULL_SENTENCE }),
      )
      expect(settings.get('big', z.string(), 'none')).toBe('none')
    } finally {
      db.close()
    }
  })
})
