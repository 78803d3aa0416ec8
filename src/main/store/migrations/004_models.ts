import type { Migration } from './index.js'

/**
 * Registered models (downloaded by GridForge or registered in place from another folder) and the download
 * queue. A download row outlives the app, so a killed download resumes from its partial file on restart.
 */
export const migration004Models: Migration = {
  version: 4,
  name: 'models',
  up(db) {
    db.exec(`
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        file_name TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        sha256 TEXT,
        source TEXT,
        catalog_id TEXT,
        owned INTEGER NOT NULL CHECK (owned IN (0, 1)),
        metadata TEXT,
        added_at INTEGER NOT NULL
      );
      CREATE TABLE downloads (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        catalog_id TEXT,
        file_name TEXT NOT NULL,
        expected_sha256 TEXT,
        total_bytes INTEGER,
        received_bytes INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (state IN ('queued', 'downloading', 'paused', 'verifying', 'failed', 'done', 'cancelled')),
        error TEXT,
        position INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `)
  },
}
