import { randomUUID } from 'node:crypto'
import type { ConversationSummary } from '../../../shared/domain.js'
import { AppError } from '../../../shared/result.js'
import { FIRST_CURSOR, type AppendCursor, type ImportedRow } from '../../store/chatImports.js'
import type { ChatRepository } from '../../store/chatRepository.js'
import { z } from 'zod'
import { chatExportEnvelopeSchema, exportedMessageSchema, type ExportedConversation, type ExportedMessage } from './exportFormat.js'
import { chatGptExportSchema, fromChatGpt } from './importChatGpt.js'
import { replyAuthorOfLabel } from './legacyReplyLabel.js'
import { readImportFile, type ImportFileReader } from './importFileReader.js'
import { orderedIds } from './orderedIds.js'

/**
 * Reads a GridForge export or a ChatGPT `conversations.json`; throws one clear sentence otherwise. The file
 * is parsed on a worker thread (`readImportFile`), which hands it over a piece at a time; each piece is
 * checked here as it arrives, so the host runs between pieces. Aborting `signal` stops the reading.
 */
export async function parseImport(text: string, signal?: AbortSignal): Promise<ExportedConversation[]> {
  const reader = readImportFile(text)
  const stop = () => void reader.close()
  signal?.addEventListener('abort', stop)
  try {
    return await checkedPieces(reader)
  } catch (error) {
    if (signal?.aborted) throw new AppError('BAD_REQUEST', IMPORT_CANCELLED)
    throw error
  } finally {
    signal?.removeEventListener('abort', stop)
    await reader.close()
  }
}

async function checkedPieces(reader: ImportFileReader): Promise<ExportedConversation[]> {
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
 * How long one import transaction may hold the event loop before it commits and lets jobs, the UI and the
 * local API run. Longer slices mean fewer commits (each costs a WAL write and a search-index segment), shorter
 * ones a livelier host; the bench measures both sides (the import's speed and a job's overhead meanwhile).
 */
export const IMPORT_SLICE_MS = 12

/** The most rows one slice is given (a slice stores about 600 in its 12 ms here); what it leaves goes to the next. */
const ROWS_PER_SLICE = 2_000

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
}

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
  } = options
  const imports = repo.imports
  const total = conversations.reduce((sum, conversation) => sum + conversation.messages.length, 0)
  const created: Array<{ summary: ConversationSummary; updatedAt: number }> = []
  const nextId = orderedIds()
  let stored = 0
  const stopIfCancelled = () => {
    if (signal?.aborted) throw new AppError('BAD_REQUEST', IMPORT_CANCELLED)
  }
  try {
    for (const conversation of conversations) {
      stopIfCancelled()
      const summary = imports.begin(randomUUID(), conversation.title || 'Imported chat', conversation.settings, conversation)
      created.push({ summary, updatedAt: conversation.updatedAt })
      const ordered = await parentsFirst(conversation.messages)
      const ids = new Map<string, string>()
      let cursor: AppendCursor = FIRST_CURSOR
      let next = 0
      while (next < ordered.length) {
        // Rows are made a slice's worth at a time: all at once, a long conversation held the event loop.
        const rows = storedRows(ordered.slice(next, next + Math.min(sliceMessages, ROWS_PER_SLICE)), ids, nextId)
        const began = clock()
        let inSlice = 0
        const slice = imports.appendSlice(summary.id, rows, 0, cursor, () => ++inSlice < sliceMessages && clock() - began < sliceMs)
        cursor = slice.cursor
        next += slice.stored
        onProgress(stored + next, total)
        await nextTurn()
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
 * The rows to store for `messages` (parents first), each with its new id and its parent's; `ids` keeps the
 * new ids given so far, so a parent (always earlier) is found from a later slice.
 */
function storedRows(messages: ExportedMessage[], ids: Map<string, string>, nextId: () => string): ImportedRow[] {
  for (const message of messages) if (!ids.has(message.id)) ids.set(message.id, nextId())
  return messages.map((message) => ({
    id: ids.get(message.id)!,
    // A parent outside the export (or the message itself) makes it a root, as `parentsFirst` ordered it.
    parentId: message.parentId && message.parentId !== message.id ? (ids.get(message.parentId) ?? null) : null,
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
  }))
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

/** Messages ordered per turn of the event loop: at once, 100,000 of them held it for 0.3–0.6 s here. */
const ORDER_CHUNK = 5_000

/**
 * Orders messages so every parent comes before its children; unknown parents make a message a root. Works
 * `ORDER_CHUNK` messages a turn, letting the host run.
 */
async function parentsFirst(messages: ExportedMessage[]): Promise<ExportedMessage[]> {
  let work = 0
  const pause = () => (++work % ORDER_CHUNK === 0 ? nextTurn() : undefined)
  const byId = new Map<string, ExportedMessage>()
  for (const message of messages) {
    byId.set(message.id, message)
    await pause()
  }
  const children = new Map<string | null, ExportedMessage[]>()
  for (const message of messages) {
    const parent = message.parentId && byId.has(message.parentId) && message.parentId !== message.id ? message.parentId : null
    const siblings = children.get(parent)
    if (siblings) siblings.push(message)
    else children.set(parent, [message])
    await pause()
  }
  const ordered: ExportedMessage[] = []
  const stack = [...(children.get(null) ?? [])].reverse()
  const seen = new Set<string>()
  while (stack.length > 0) {
    const message = stack.pop()!
    if (seen.has(message.id)) continue
    seen.add(message.id)
    ordered.push(message)
    const next = children.get(message.id) ?? []
    for (let i = next.length - 1; i >= 0; i -= 1) stack.push(next[i]!)
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
