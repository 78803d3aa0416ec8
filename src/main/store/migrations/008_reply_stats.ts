import type { Migration } from './index.js'

/** A finished reply keeps its token count, time and why it ended, so its stats line survives a restart. */
export const migration008ReplyStats: Migration = {
  version: 8,
  name: 'reply_stats',
  up(db) {
    db.exec('ALTER TABLE messages ADD COLUMN reply_tokens INTEGER')
    db.exec('ALTER TABLE messages ADD COLUMN reply_ms INTEGER')
    db.exec('ALTER TABLE messages ADD COLUMN finish_reason TEXT')
  },
}
