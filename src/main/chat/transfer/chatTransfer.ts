import type { ConversationSummary } from '../../../shared/domain.js'
import { AppError } from '../../../shared/result.js'
import type { ChatRepository } from '../../store/chatRepository.js'
import { asStorageError } from '../../store/storageErrors.js'
import type { ChatService } from '../chatService.js'
import { conversationMarkdown, exportJson } from './exportChats.js'
import type { ImportProgressEvent } from '../../../shared/storage.js'
import { NO_CONVERSATIONS, parseImport, storeImport, type ImportProgress } from './importChats.js'
import { importOnThread, unshareable, type SharedDatabase } from './importOnThread.js'
import { ChunkedUploads } from './uploads.js'

/** A file for the user to save. */
export interface ExportFile {
  fileName: string
  mimeType: string
  text: string
}

/** Export and import of conversations, for the contract's chat.export and chat.import. */
export class ChatTransfer {
  private readonly uploads = new ChunkedUploads()
  private readonly running = new Map<string, AbortController>()
  private readonly inFlight = new Set<Promise<unknown>>()

  constructor(
    private readonly repo: ChatRepository,
    private readonly chat: ChatService,
    private readonly onImported: (conversations: ConversationSummary[]) => void,
    private readonly onProgress: (progress: ImportProgressEvent) => void = () => undefined,
    /** The host's database, for the import thread to open too; without it (or when it cannot be shared) imports run here. */
    private readonly database: SharedDatabase | null = null,
  ) {}

  /** One conversation (or all when `conversationId` is null) as lossless JSON or as Markdown. */
  export(conversationId: string | null, format: 'json' | 'markdown', now = new Date()): ExportFile {
    const ids = conversationId ? [this.chat.get(conversationId).id] : this.repo.listConversations().map((c) => c.id)
    const stamp = now.toISOString().slice(0, 10)
    const name = conversationId ? safeFileName(this.chat.get(conversationId).title) : `gridforge-chats-${stamp}`
    if (format === 'json') {
      return { fileName: `${name}.json`, mimeType: 'application/json', text: exportJson(this.repo, ids, now.getTime()) }
    }
    const text = ids.map((id) => conversationMarkdown(this.chat.get(id))).join('\n---\n\n')
    return { fileName: `${name}.md`, mimeType: 'text/markdown', text }
  }

  /** Takes one piece of an import file; on the last piece, imports it all or nothing. */
  async importPiece(uploadId: string, index: number, text: string, last: boolean): Promise<{ imported: ConversationSummary[] | null }> {
    const whole = this.uploads.add(uploadId, index, text, last)
    if (whole === null) return { imported: null }
    const cancel = new AbortController()
    this.running.set(uploadId, cancel)
    const importing = this.importText(whole, cancel.signal, (stored, total) => this.onProgress({ uploadId, stored, total }))
    this.inFlight.add(importing)
    try {
      const imported = await importing.catch((error: unknown) => {
        throw asStorageError(error)
      })
      this.onImported(imported)
      return { imported }
    } finally {
      this.running.delete(uploadId)
      this.inFlight.delete(importing)
    }
  }

  /**
   * The whole import on its own thread when the database can be shared (the host's event loop then only
   * relays progress); otherwise, or when the thread cannot start, read on a thread and stored here in slices.
   */
  private async importText(text: string, signal: AbortSignal, onProgress: ImportProgress): Promise<ConversationSummary[]> {
    if (this.database && unshareable(this.database.db) === null) {
      const imported = await importOnThread(text, this.database, { signal, onProgress })
      if (imported) return imported
    }
    const conversations = await parseImport(text, signal)
    if (conversations.length === 0) throw new AppError('BAD_REQUEST', NO_CONVERSATIONS)
    return storeImport(this.repo, conversations, { signal, onProgress })
  }

  /** Stops every import still running (the host is closing); resolves once each has removed what it stored. */
  async close(): Promise<void> {
    for (const running of this.running.values()) running.abort()
    await Promise.allSettled([...this.inFlight])
  }

  /** Stops an import still arriving or being stored; what it stored so far is removed. */
  cancelImport(uploadId: string): { cancelled: boolean } {
    const running = this.running.get(uploadId)
    running?.abort()
    return { cancelled: this.uploads.drop(uploadId) || running !== undefined }
  }
}

function safeFileName(title: string): string {
  return (
    title
      .replace(/[^\p{L}\p{N} _.-]+/gu, '')
      .trim()
      .slice(0, 80) || 'conversation'
  )
}
