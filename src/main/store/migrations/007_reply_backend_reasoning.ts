import type { Migration } from './index.js'

/**
 * Which backend wrote each reply, as data, and the model's thinking.
 *
 * - `messages.backend`: `local`, `aipg` or `horde` for replies written here; NULL for the user's messages
 *   and for replies imported from elsewhere (a ChatGPT export). `model` now holds only the model: a local
 *   file name, or the grid's model name. Before this, a grid reply's `model` was its display label
 *   ("AIPG grid · <model>", "AI Horde · <model>"); those rows are split back into backend and model here,
 *   and every other assistant reply that names a model was written by the local model.
 * - `messages.grid_origin`: the grid URL's origin a grid reply came from (unknown for older rows).
 * - `messages.reasoning`, `messages.reasoning_ms`: the thinking before a reply and how long it took.
 *   Not indexed for search: search finds what the reply says.
 *
 * The label prefixes are written out here rather than imported: a migration must keep reading the rows
 * older versions wrote, whatever the labels become.
 */
export const migration007ReplyBackendReasoning: Migration = {
  version: 7,
  name: 'reply backend and reasoning',
  up(db) {
    db.exec(`
      ALTER TABLE messages ADD COLUMN backend TEXT CHECK (backend IN ('local', 'aipg', 'horde'));
      ALTER TABLE messages ADD COLUMN grid_origin TEXT;
      ALTER TABLE messages ADD COLUMN reasoning TEXT;
      ALTER TABLE messages ADD COLUMN reasoning_ms INTEGER;

      UPDATE messages SET backend = 'aipg', model = substr(model, 13)
        WHERE role = 'assistant' AND substr(model, 1, 12) = 'AIPG grid · ' AND length(model) > 12;
      UPDATE messages SET backend = 'horde', model = substr(model, 12)
        WHERE role = 'assistant' AND substr(model, 1, 11) = 'AI Horde · ' AND length(model) > 11;
      UPDATE messages SET backend = 'local'
        WHERE role = 'assistant' AND backend IS NULL AND model IS NOT NULL AND model <> '';
    `)
  },
}
