import type { Migration } from './index.js'

/**
 * Replies written after older messages were left out of the model's context (the conversation
 * outgrew it) remember that, so the note next to them survives a restart.
 */
export const migration006MessageContextNote: Migration = {
  version: 6,
  name: 'message_context_note',
  up(db) {
    db.exec('ALTER TABLE messages ADD COLUMN context_shifted INTEGER NOT NULL DEFAULT 0')
  },
}
