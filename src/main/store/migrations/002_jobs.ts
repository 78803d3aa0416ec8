import type { Migration } from './index.js'

/**
 * The grid job ledger: one row per job, with counts, timing, outcome and reward. Deliberately no column
 * for the prompt or the output: job text belongs to strangers and is never stored.
 */
export const migration002Jobs: Migration = {
  version: 2,
  name: 'jobs',
  up(db) {
    db.exec(`
      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        network TEXT NOT NULL CHECK (network IN ('aipg', 'horde')),
        job_id TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        duration_ms REAL NOT NULL,
        tokens_per_second REAL NOT NULL,
        reward REAL,
        state TEXT NOT NULL CHECK (state IN ('ok', 'cancelled', 'faulted', 'error', 'dropped')),
        error TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        UNIQUE (network, job_id)
      );
      CREATE INDEX jobs_by_time ON jobs (finished_at);
    `)
  },
}
