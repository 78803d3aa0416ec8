import type Database from 'better-sqlite3'
import type { z } from 'zod'
import { withStorage } from './storageErrors.js'
import { inTurn } from './writeTurns.js'

/**
 * Settings by key. Values are parsed with the caller's schema on every read, so a value written by an
 * older version (or edited by hand) falls back to the default instead of breaking the app.
 */
export class SettingsRepository {
  private readonly select
  private readonly upsert

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    this.select = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
    this.upsert = db.prepare(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    )
  }

  get<T>(key: string, schema: z.ZodType<T>, fallback: T): T {
    const row = this.select.get(key)
    if (!row) return fallback
    try {
      const parsed = schema.safeParse(JSON.parse(row.value))
      return parsed.success ? parsed.data : fallback
    } catch {
      return fallback
    }
  }

  set<T>(key: string, value: T): void {
    withStorage(() => inTurn(this.db, () => this.upsert.run(key, JSON.stringify(value), this.now())))
  }
}
