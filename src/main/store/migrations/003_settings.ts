import type { Migration } from './index.js'

/** Key-value settings, each value JSON checked by its reader's schema. Secrets are never stored here. */
export const migration003Settings: Migration = {
  version: 3,
  name: 'settings',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `)
  },
}
