/** What a read of an import file found, one piece at a time. */
export type ImportPiece =
  | { kind: 'notJson' }
  | { kind: 'other' }
  /** A GridForge export with every conversation's messages left out; they follow as `messages` pieces. */
  | { kind: 'envelope'; envelope: unknown }
  | { kind: 'messages'; conversation: number; from: number; messages: unknown[] }
  /** One conversation of a ChatGPT `conversations.json`, checked and converted by the reader's caller. */
  | { kind: 'chatGpt'; index: number; conversation: unknown }
  | { kind: 'end' }

/**
 * Parses an import file and cuts it into pieces of at most `perPiece` messages, checking nothing (the
 * schemas do that, piece by piece). It references nothing outside itself: the reader thread of the
 * in-process import runs its source text (`importFileReader.ts`), the import thread calls it.
 */
export function* importPieces(text: string, perPiece: number): Generator<ImportPiece, void, undefined> {
  let data: unknown
  try {
    data = JSON.parse(text)
    // The file's text is not needed once parsed; a 200 MB one should not outlive the parse.
    text = ''
  } catch {
    yield { kind: 'notJson' }
    return
  }
  if (Array.isArray(data)) {
    for (let index = 0; index < data.length; index += 1) yield { kind: 'chatGpt', index, conversation: data[index] }
  } else if (typeof data === 'object' && data !== null && (data as { format?: unknown }).format === 'gridforge-chat') {
    const file = data as { conversations?: unknown }
    const conversations = Array.isArray(file.conversations) ? (file.conversations as unknown[]) : null
    const split =
      conversations !== null &&
      conversations.every((c) => typeof c === 'object' && c !== null && Array.isArray((c as { messages?: unknown }).messages))
    if (conversations === null || !split) {
      yield { kind: 'envelope', envelope: data }
    } else {
      const listed = conversations as Array<{ messages: unknown[] }>
      yield { kind: 'envelope', envelope: { ...file, conversations: listed.map((c) => ({ ...c, messages: [] })) } }
      for (let conversation = 0; conversation < listed.length; conversation += 1) {
        const messages = listed[conversation]!.messages
        for (let from = 0; from < messages.length; from += perPiece) {
          yield { kind: 'messages', conversation, from, messages: messages.slice(from, from + perPiece) }
        }
      }
    }
  } else {
    yield { kind: 'other' }
    return
  }
  yield { kind: 'end' }
}
