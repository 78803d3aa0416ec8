import type { ReplyBackend } from '../../../shared/domain.js'

/**
 * Before schema 7 and export version 2, a reply's `model` held the label shown above it: a grid reply's
 * was "AIPG grid · <model>" or "AI Horde · <model>", a local one's the model's file name. Only files
 * written then are read this way (migration 007 converts the database itself); nothing new is parsed
 * from a label.
 */
const LEGACY_PREFIXES: ReadonlyArray<readonly [string, ReplyBackend]> = [
  ['AIPG grid · ', 'aipg'],
  ['AI Horde · ', 'horde'],
]

/** The backend and model of a reply from its old label. */
export function replyAuthorOfLabel(label: string): { backend: ReplyBackend; model: string } {
  for (const [prefix, backend] of LEGACY_PREFIXES) {
    if (label.startsWith(prefix) && label.length > prefix.length) return { backend, model: label.slice(prefix.length) }
  }
  return { backend: 'local', model: label }
}
