import { randomUUID } from 'node:crypto'
import type { ConversationSummary } from '../../../shared/domain.js'
import { AppError } from '../../../shared/result.js'
import { FIRST_CURSOR, type AppendCursor, type ImportedRow } from '../../store/chatImports.js'
import type { ChatRepository } from '../../store/chatRepository.js'
import { z } from 'zod'
import { chatExportEnvelopeSchema, exportedMessageSchema, type ExportedConversation, type ExportedMessage } from './exportFormat.js'
import { chatGptExportSchema, fromChatGpt } from './importChatGpt.js'
import { replyAuthorOfLabel } from './legacyReplyLabel.js'
import { readImportFile } from './importFileReader.js'
import type { ImportPiece } from './importPieces.js'
import { orderedIds } from './orderedIds.js'

/**
 * Reads a GridForge export or a ChatGPT `conversations.json`; throws one clear sentence otherwise. The file
 * is parsed on a worker thread (`readImportFile`), which hands it over a piece at a time; each piece is
 * checked here as it arrives, so the host runs between pieces. Aborting `signal` stops the reading.
 */
export async function parseImport(text: string, signal?: AbortSignal, messagesPerPiece?: number): Promise<ExportedConversation[]> {
  const reader = readImportFile(text, messagesPerPiece)
  const stop = () => void reader.close()
  signal?.addEventListener('abort', stop)
  try {
    return await checkImport(reader)
  } catch (error) {
    if (signal?.aborted) throw new AppError('BAD_REQUEST', IMPORT_CANCELLED)
    throw error
  } finally {
    signal?.removeEventListener('abort', stop)
    await reader.close()
  }
}

/** Where `checkImport` gets the pieces of a file: the reader thread, or the import thread's own parse. */
export interface ImportPieceSource {
  next(): Promise<ImportPiece>
}

/** Checks the pieces of an import file as they come, naming the first bad message by its path; its conversations. */
export async function checkImport(reader: ImportPieceSource): Promise<ExportedConversation[]> {
  const unreadable = (issue: string) => new AppError('BAD_REQUEST', `That GridForge export cannot be read: ${issue}.`)
  const conversations: ExportedConversation[] = []
  let version: number | null = null
  for (;;) {
    const piece = await reader.next()
    switch (piece.kind) {
      case 'notJson':
        throw new AppError('BAD_REQUEST', 'That file is not JSON; import a GridForge export or a ChatGPT conversations.json.')
      case 'other':
        throw new AppError('BAD_REQUEST', 'That file is neither a GridForge chat export nor a ChatGPT conversations.json.')
      case 'chatGpt': {
        const parsed = chatGptExportSchema.safeParse([piece.conversation])
        if (!parsed.success) {
          throw new AppError('BAD_REQUEST', `That looks like a ChatGPT export but ${issueOf(parsed.error, [], piece.index)}.`)
        }
        conversations.push(...fromChatGpt(parsed.data))
        break
      }
      case 'envelope': {
        const envelope = chatExportEnvelopeSchema.safeParse(piece.envelope)
        if (!envelope.success) throw unreadable(issueOf(envelope.error))
        version = envelope.data.version
        for (const conversation of envelope.data.conversations) conversations.push({ ...conversation, messages: [] })
        break
      }
      case 'messages': {
        const checked = z.array(exportedMessageSchema).safeParse(piece.messages)
        if (!checked.success) throw unreadable(issueOf(checked.error, ['conversations', piece.conversation, 'messages'], piece.from))
        const messages = conversations[piece.conversation]!.messages
        for (const message of checked.data) messages.push(message)
        break
      }
      case 'end':
        return version === 1 ? conversations.map(fromVersion1) : conversations
    }
  }
}

/**
 * How long one import transaction, or one turn of ordering, may hold the event loop before it lets jobs, the
 * UI and the local API run. Longer slices mean fewer commits (each costs a WAL write and a search-index
 * segment), shorter ones a livelier host: each hop of an AIPG job can wait for one slice, and 3 ms slices
 * cost no measurable import speed here against 12 ms; the bench measures both sides (the import's speed and
 * a job's overhead meanwhile).
 */
export const IMPORT_SLICE_MS = 3

/** How far an import has got, in messages. */
export type ImportProgress = (stored: number, total: number) => void

/** How `storeImport` paces itself and reports. */
export interface ImportOptions {
  onProgress?: ImportProgress
  /** Aborting stops the import at the next slice and removes everything it stored. */
  signal?: AbortSignal
  sliceMs?: number
  /** At most this many messages per slice (tests use it to get several slices from a small file). */
  sliceMessages?: number
  clock?: () => number
  /**
   * What runs between two slices, told how long the slice took: by default one turn of the event loop, on
   * the import thread a rest for the host's writes.
   */
  pause?: (sliceMs: number) => Promise<void>
  /** True when another writer waits for the lock: the slice then ends after the row it is on. */
  giveWay?: () => boolean
}

/** The sentence for a file with nothing to import. */
export const NO_CONVERSATIONS = 'That file has no conversations in it.'

/** The sentence for an import the user cancelled. */
export const IMPORT_CANCELLED = 'The import was cancelled; nothing from that file was kept.'

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Stores imported conversations as new ones (fresh ids, so importing twice never overwrites), all or
 * nothing, in time slices that let the rest of the host run. Conversations stay hidden until every message
 * is in, then appear together; a failure or a cancel removes them, and so does the next start after a kill
 * (`ChatImports.abandonUnfinished`). Returns the new conversations.
 */
export async function storeImport(
  repo: ChatRepository,
  conversations: ExportedConversation[],
  options: ImportOptions = {},
): Promise<ConversationSummary[]> {
  const {
    onProgress = () => undefined,
    signal,
    sliceMs = IMPORT_SLICE_MS,
    sliceMessages = Number.POSITIVE_INFINITY,
    clock = performance.now.bind(performance),
    pause = nextTurn,
    giveWay = () => false,
  } = options
  const imports = repo.imports
  const total = conversations.reduce((sum, conversation) => sum + conversation.messages.length, 0)
  const created: Array<{ summary: ConversationSummary; updatedAt: number }> = []
  const idAt = orderedIds()
  let stored = 0
  const stopIfCancelled = () => {
    if (signal?.aborted) throw new AppError('BAD_REQUEST', IMPORT_CANCELLED)
  }
  try {
    for (const conversation of conversations) {
      stopIfCancelled()
      const summary = imports.begin(randomUUID(), conversation.title || 'Imported chat', conversation.settings, conversation)
      created.push({ summary, updatedAt: conversation.updatedAt })
      const ordered = await parentsFirst(conversation.messages, sliceMs, clock)
      // Each message's place in the import, which its new id is made from (`orderedIds`).
      const places = new Map<string, number>()
      let cursor: AppendCursor = FIRST_CURSOR
      let next = 0
      while (next < ordered.length) {
        const began = clock()
        const first = next
        // Each row is made as the slice stores it: made ahead, a long conversation held the event loop.
        const take = () => {
          if (next >= ordered.length) return undefined
          if (next > first && (next - first >= sliceMessages || clock() - began >= sliceMs || giveWay())) return undefined
          const message = ordered[next]!
          places.set(message.id, stored + next)
          next += 1
          return storedRow(message, places, idAt)
        }
        cursor = imports.appendSlice(summary.id, take, cursor).cursor
        onProgress(stored + next, total)
        await pause(clock() - began)
        stopIfCancelled()
      }
      stored += ordered.length
    }
    imports.finish(created.map(({ summary, updatedAt }) => ({ id: summary.id, updatedAt })))
  } catch (error) {
    for (const { summary } of created) {
      try {
        imports.abandon(summary.id)
      } catch {
        // A disk too full even to delete: the rows stay hidden in chat_imports and the next start removes them.
      }
    }
    throw error
  }
  return created.map(({ summary, updatedAt }) => ({ ...summary, updatedAt }))
}

/** A reply cut off while streaming elsewhere is not streaming here. */
function storedState(message: ExportedMessage): ExportedMessage['state'] {
  return message.state === 'streaming' ? 'interrupted' : message.state
}

/**
 * The row to store for `message` (parents come first), with its new id and its parent's; `places` holds the
 * place in the import of every message stored so far (this one included), so a parent, always earlier, is
 * found from a later slice.
 */
function storedRow(message: ExportedMessage, places: Map<string, number>, idAt: (index: number) => string): ImportedRow {
  // A parent outside the export (or the message itself) makes it a root, as `parentsFirst` ordered it.
  const parent = message.parentId && message.parentId !== message.id ? places.get(message.parentId) : undefined
  return {
    id: idAt(places.get(message.id)!),
    parentId: parent === undefined ? null : idAt(parent),
    role: message.role,
    content: message.content,
    state: storedState(message),
    error: message.error,
    model: message.model,
    backend: message.backend ?? null,
    gridOrigin: message.gridOrigin ?? null,
    reasoning: message.reasoning || null,
    reasoningMs: message.reasoning ? (message.reasoningMs ?? null) : null,
    createdAt: message.createdAt,
    selectedAt: message.selectedAt,
  }
}

/** A version 1 export: each reply's backend read back from the label its `model` held then. */
function fromVersion1(conversation: ExportedConversation): ExportedConversation {
  return {
    ...conversation,
    messages: conversation.messages.map((message) =>
      message.role === 'assistant' && message.model ? { ...message, ...replyAuthorOfLabel(message.model) } : message,
    ),
  }
}

/** Steps of ordering between looks at the clock (a look costs more than a step). */
const STEPS_PER_LOOK = 256

/**
 * Orders messages so every parent comes before its children; unknown parents make a message a root. Works
 * `turnMs` at a time, letting the host run: at once, 100,000 messages held the event loop for 0.3–0.6 s here.
 * The tree is kept in typed arrays, by index: a list of children per message was 100,000 small arrays that
 * outlived the young heap, and each collection of it (a pause of the event loop) had them to copy.
 */
async function parentsFirst(messages: ExportedMessage[], turnMs: number, clock: () => number): Promise<ExportedMessage[]> {
  let work = 0
  let turnStart = clock()
  const pause = () => {
    if (++work % STEPS_PER_LOOK !== 0 || clock() - turnStart < turnMs) return undefined
    return nextTurn().then(() => void (turnStart = clock()))
  }
  const count = messages.length
  // Every message with an id answers to the first message that has it; slot `count` holds the roots.
  const firstWithId = new Map<string, number>()
  const owner = new Int32Array(count)
  for (let i = 0; i < count; i += 1) {
    const id = messages[i]!.id
    const first = firstWithId.get(id)
    if (first === undefined) firstWithId.set(id, i)
    owner[i] = first ?? i
    await pause()
  }
  const firstChild = new Int32Array(count + 1).fill(-1)
  const lastChild = new Int32Array(count + 1).fill(-1)
  const nextSibling = new Int32Array(count).fill(-1)
  for (let i = 0; i < count; i += 1) {
    const { id, parentId } = messages[i]!
    const parent = parentId && parentId !== id ? (firstWithId.get(parentId) ?? count) : count
    if (firstChild[parent] === -1) firstChild[parent] = i
    else nextSibling[lastChild[parent]!] = i
    lastChild[parent] = i
    await pause()
  }
  // Depth first, children in file order: each index is pushed once, as its parent's first child or as
  // the next sibling of the one before it, which waits on the stack below that one's subtree.
  const ordered: ExportedMessage[] = []
  const seen = new Uint8Array(count)
  const stack = new Int32Array(count)
  let depth = 0
  if (firstChild[count] !== -1) stack[depth++] = firstChild[count]!
  while (depth > 0) {
    const i = stack[--depth]!
    if (nextSibling[i] !== -1) stack[depth++] = nextSibling[i]!
    const self = owner[i]!
    if (seen[self]) continue
    seen[self] = 1
    ordered.push(messages[i]!)
    if (firstChild[self] !== -1) stack[depth++] = firstChild[self]!
    await pause()
  }
  return ordered
}

/** The first issue as `path: message`; a chunk's issue is placed under `prefix` at its index plus `offset`. */
function issueOf(error: { issues: Array<{ path: PropertyKey[]; message: string }> }, prefix: PropertyKey[] = [], offset = 0): string {
  const issue = error.issues[0]
  if (!issue) return 'it is malformed'
  const [first, ...rest] = issue.path
  const path = typeof first === 'number' ? [...prefix, first + offset, ...rest] : [...prefix, ...issue.path]
  return path.length ? `${path.map(String).join('.')}: ${issue.message}` : issue.message
}
