/** Longest message text accepted from the UI, in characters (about 25k tokens of English). */
export const MAX_MESSAGE_CHARS = 100_000

/** Largest request frame accepted from a client, in bytes. Larger ones get BAD_REQUEST. */
export const MAX_REQUEST_BYTES = 1_048_576

/** Longest file path accepted from the UI. */
export const MAX_PATH_CHARS = 4096

/**
 * Most characters of an import file per request. JSON escaping can make a character six bytes, so a
 * piece always fits in one request frame.
 */
export const MAX_IMPORT_PIECE_CHARS = 150_000
