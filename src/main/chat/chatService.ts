import { DEFAULT_CONVERSATION_SETTINGS, type ConversationSettings } from '../../shared/chatSettings.js'
import type { Events } from '../../shared/api.js'
import type { ChatSearchHit, Conversation, ConversationSummary, Message, MessagePage, ReplyStats, SendResult } from '../../shared/domain.js'
import type { ChatTurn, GenerateResult } from '../../shared/generation.js'
import { backendOf, type ChatBackend, type ReplyAuthor } from '../../shared/gridChat.js'
import { AppError } from '../../shared/result.js'
import type { Engine } from '../engine/engine.js'
import { Emitter, type EventListener } from '../lib/emitter.js'
import type { ChatRepository } from '../store/chatRepository.js'
import { asStorageError, withStorage } from '../store/storageErrors.js'
import { DeltaCoalescer } from './deltaCoalescer.js'
import { localReplySource } from './localReplySource.js'
import { titleFrom } from './title.js'
import type { ReplyHandlers, ReplySource } from './replySource.js'

/** A streaming reply is written to the store at least this often, so a crash loses at most this much. */
export const SAVE_INTERVAL_MS = 1000
/** Streaming text reaches the UI at most once a screen frame per reply, however fast it comes. */
export const DELTA_INTERVAL_MS = 16
/** A deleted conversation can be restored for this long (and until the app restarts). */
export const UNDO_DELETE_MS = 10 * 60_000
/** Messages a conversation opens with, and how many more each scroll to the top loads. */
export const PAGE_MESSAGES = 200

/** What chat tells the transports: replies streaming and finished, the conversation list. */
export type ChatEvents = Pick<Events, 'chat.delta' | 'chat.message' | 'chat.conversations' | 'chat.progress'>

interface Streaming {
  conversationId: string
  controller: AbortController
  done: Promise<void>
}

/**
 * Conversations, their versions and branches, and their replies from any source (the local model or a
 * grid), all written the same way. Every message is stored before and while it is generated; generation
 * sees only the active path.
 */
export class ChatService {
  private readonly streaming = new Map<string, Streaming>()
  private readonly events = new Emitter<ChatEvents>()

  constructor(
    private readonly repo: ChatRepository,
    private readonly engine: Engine,
    /** Tells the miner the user is here: local chat comes before grid jobs. Returns "done". */
    private readonly beginLocalUse: () => () => void = () => () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls `listener` with every chat event; returns the function that stops it. */
  subscribe(listener: EventListener<ChatEvents>): () => void {
    return this.events.subscribe(listener)
  }

  /** One chat event only, typed. */
  on<K extends keyof ChatEvents>(name: K, listener: (payload: ChatEvents[K]) => void): () => void {
    return this.events.on(name, listener)
  }

  /**
   * Called once by the app that owns the data (not by a one-off CLI command running next to it): replies
   * that were streaming when the app last stopped are kept, marked interrupted; conversations deleted in an
   * earlier run are gone for good (undo lives in the running app), and so is what an import killed halfway stored.
   */
  recoverFromLastRun(): void {
    this.repo.imports.abandonUnfinished()
    this.repo.markStreamingInterrupted()
    this.repo.purgeDeleted(this.now())
  }

  list(): ConversationSummary[] {
    return this.repo.listConversations()
  }

  /**
   * A conversation with the latest page of its active path; with `from`, the page reaches back to
   * just before that message (the one an action was on), so what the user is looking at stays loaded.
   */
  get(conversationId: string, from?: string): Conversation {
    const summary = this.existing(conversationId)
    const { ids, versions } = this.repo.activePathIds(conversationId)
    const at = from ? ids.indexOf(from) : -1
    const start = Math.max(0, Math.min(ids.length - PAGE_MESSAGES, at >= 0 ? at - 1 : ids.length))
    const page = ids.slice(start)
    return {
      ...summary,
      messages: this.repo.messagesByIds(page),
      versions: versionsOf(versions, page),
      settings: this.repo.getSettings(conversationId),
      olderMessages: start,
    }
  }

  /** The page of the active path just before message `before` (scrolling up in a long conversation). */
  older(conversationId: string, before: string, limit = PAGE_MESSAGES): MessagePage {
    this.existing(conversationId)
    const { ids, versions } = this.repo.activePathIds(conversationId)
    const end = ids.indexOf(before)
    if (end < 0) throw new AppError('NOT_FOUND', 'This conversation changed meanwhile; open it again.')
    const start = Math.max(0, end - limit)
    const page = ids.slice(start, end)
    return { messages: this.repo.messagesByIds(page), versions: versionsOf(versions, page), olderMessages: start }
  }

  /** Every message on the active path, first to last (what a reply is written from). */
  history(conversationId: string): Message[] {
    this.existing(conversationId)
    return this.repo.activePath(conversationId).messages
  }

  search(query: string): ChatSearchHit[] {
    return this.repo.search(query)
  }

  rename(conversationId: string, title: string): ConversationSummary {
    this.existing(conversationId)
    withStorage(() => this.repo.rename(conversationId, title.trim()))
    this.emitList()
    return this.existing(conversationId)
  }

  /** Hides a conversation; `restore` brings it back until it is purged. */
  async delete(conversationId: string): Promise<boolean> {
    await this.stopConversation(conversationId)
    const deleted = withStorage(() => this.repo.softDelete(conversationId))
    withStorage(() => this.repo.purgeDeleted(this.now() - UNDO_DELETE_MS))
    if (deleted) this.emitList()
    return deleted
  }

  restore(conversationId: string): boolean {
    const restored = withStorage(() => this.repo.restore(conversationId))
    if (restored) this.emitList()
    return restored
  }

  updateSettings(conversationId: string, settings: ConversationSettings): Conversation {
    this.existing(conversationId)
    withStorage(() => this.repo.saveSettings(conversationId, settings))
    return this.get(conversationId)
  }

  /**
   * Stores the user's message and an empty reply after the active path, then streams the reply in the
   * background. Both rows exist before the first token, so nothing typed is lost if the app dies mid-reply.
   */
  send(conversationId: string | null, text: string, settings?: Partial<ConversationSettings>, source?: ReplySource): SendResult {
    const replySource = this.sourceOrLocal(source)
    // Asked first: without a loaded model this says so before anything is stored.
    const author = replySource.author()
    if (conversationId) {
      this.existing(conversationId)
      this.requireIdle(conversationId)
    }
    // If the disk is full this throws a clear error before anything is generated, and the UI keeps the draft.
    const { conversation, userMessage, assistantMessage } = withStorage(() =>
      this.repo.transaction(() => {
        const conversation = conversationId
          ? this.existing(conversationId)
          : this.repo.createConversation(titleFrom(text), { ...DEFAULT_CONVERSATION_SETTINGS, ...settings })
        const parentId = this.repo.activePathIds(conversation.id).ids.at(-1) ?? null
        return { conversation, ...this.writeTurn(conversation.id, parentId, text, author) }
      }),
    )
    this.startReply(assistantMessage, replySource)
    this.emitList()
    return { conversation: this.existing(conversation.id), userMessage, assistantMessage }
  }

  /**
   * The backend a follow-up of this message (a regenerate, an edit) should use: the one that wrote the
   * reply being regenerated, or the latest reply of the conversation for an edit.
   */
  followUpBackend(messageId: string): ChatBackend {
    const message = this.existingMessage(messageId)
    if (message.role === 'assistant') return backendOf(message)
    const replies = this.repo.activePath(message.conversationId).messages.filter((m) => m.role === 'assistant')
    return backendOf(replies.at(-1))
  }

  /** Writes a new version of an assistant reply; the earlier ones stay browsable. */
  regenerate(messageId: string, source?: ReplySource): Conversation {
    const message = this.existingMessage(messageId)
    if (message.role !== 'assistant') throw new AppError('BAD_REQUEST', 'Only a reply can be regenerated.')
    const replySource = this.sourceOrLocal(source)
    const author = replySource.author()
    this.requireIdle(message.conversationId)
    const reply = withStorage(() => this.appendReply(message.conversationId, message.parentId ?? null, author))
    this.startReply(reply, replySource)
    this.emitList()
    return this.get(message.conversationId, reply.id)
  }

  /** Sends an edited copy of a user message as a new branch; the original branch is kept. */
  edit(messageId: string, text: string, source?: ReplySource): Conversation {
    const message = this.existingMessage(messageId)
    if (message.role !== 'user') throw new AppError('BAD_REQUEST', 'Only your own messages can be edited.')
    const replySource = this.sourceOrLocal(source)
    const author = replySource.author()
    this.requireIdle(message.conversationId)
    const { userMessage, assistantMessage } = withStorage(() =>
      this.repo.transaction(() => this.writeTurn(message.conversationId, message.parentId ?? null, text, author)),
    )
    this.startReply(assistantMessage, replySource)
    this.emitList()
    return this.get(message.conversationId, userMessage.id)
  }

  /** Shows a version (or a search hit's branch): the message and its ancestors join the active path. */
  select(messageId: string): Conversation {
    const message = this.existingMessage(messageId)
    withStorage(() => this.repo.selectMessage(messageId))
    return this.get(message.conversationId, messageId)
  }

  /** Deletes one message; what followed it follows its parent instead. */
  deleteMessage(messageId: string): Conversation {
    const message = this.existingMessage(messageId)
    if (this.streaming.has(messageId)) throw new AppError('BUSY', 'Stop this reply before deleting it.')
    withStorage(() => this.repo.deleteMessage(messageId))
    this.emitList()
    return this.get(message.conversationId, message.parentId ?? undefined)
  }

  /** Stops a streaming reply; the text so far is kept and marked stopped. */
  stop(messageId: string): boolean {
    const entry = this.streaming.get(messageId)
    if (!entry) return false
    entry.controller.abort()
    return true
  }

  /** Stops every reply and waits until each is saved (app shutdown). */
  async stopAll(): Promise<void> {
    const entries = [...this.streaming.entries()]
    for (const [messageId] of entries) this.stop(messageId)
    await Promise.all(entries.map(([, entry]) => entry.done))
  }

  private async stopConversation(conversationId: string): Promise<void> {
    for (const [messageId, entry] of this.streaming) {
      if (entry.conversationId === conversationId) {
        this.stop(messageId)
        await entry.done
      }
    }
  }

  /** The source given (a grid), else the local model. */
  private sourceOrLocal(source: ReplySource | undefined): ReplySource {
    return source ?? localReplySource(this.engine)
  }

  /** Stores a user message after `parentId` and an empty reply to it. */
  private writeTurn(conversationId: string, parentId: string | null, text: string, author: ReplyAuthor) {
    const userMessage = this.repo.appendMessage({
      conversationId,
      parentId,
      role: 'user',
      content: text,
      state: 'complete',
      model: null,
    })
    return { userMessage, assistantMessage: this.appendReply(conversationId, userMessage.id, author) }
  }

  private appendReply(conversationId: string, parentId: string | null, author: ReplyAuthor): Message {
    return this.repo.appendMessage({
      conversationId,
      parentId,
      role: 'assistant',
      content: '',
      state: 'streaming',
      model: author.model,
      backend: author.backend,
      ...(author.gridOrigin ? { gridOrigin: author.gridOrigin } : {}),
    })
  }

  /**
   * History for a reply: the conversation's system prompt, then the active path up to the reply. Earlier
   * replies' thinking stays out: the model sees what it answered, not how it got there.
   */
  private startReply(reply: Message, source: ReplySource): void {
    const settings = this.repo.getSettings(reply.conversationId)
    const model = this.engine.snapshot().model
    if (model && settings.modelPath !== model.path) {
      withStorage(() => this.repo.saveSettings(reply.conversationId, { ...settings, modelPath: model.path }))
    }
    const path = this.repo.activePath(reply.conversationId).messages
    const history = path.slice(
      0,
      path.findIndex((message) => message.id === reply.id),
    )
    const turns: ChatTurn[] = [
      ...(settings.systemPrompt.trim() ? [{ role: 'system' as const, content: settings.systemPrompt }] : []),
      ...history
        .filter((message) => message.content.length > 0 && message.state !== 'error')
        .map((message) => ({ role: message.role, content: message.content })),
    ]
    this.stream(reply, turns, settings, source)
  }

  /** Asks the source for the reply to these turns with the conversation's settings. */
  private produceReply(
    conversationId: string,
    turns: ChatTurn[],
    settings: ConversationSettings,
    handlers: ReplyHandlers,
    source: ReplySource,
  ): Promise<GenerateResult> {
    const { sampling } = settings
    return source.generate(
      {
        kind: 'chat',
        turns,
        params: {
          maxTokens: sampling.maxTokens,
          temperature: sampling.temperature,
          topP: sampling.topP,
          topK: sampling.topK,
          minP: sampling.minP,
          repeatPenalty: sampling.repeatPenalty,
        },
        contextTokens: settings.contextSize ?? undefined,
        conversationId,
      },
      handlers,
    )
  }

  private stream(reply: Message, turns: ChatTurn[], settings: ConversationSettings, source: ReplySource): void {
    const controller = new AbortController()
    const { conversationId } = reply
    // Only the local model competes with mining; a grid reply leaves it alone.
    const endLocalUse = reply.backend === 'local' ? this.beginLocalUse() : () => undefined
    let content = ''
    let reasoning = ''
    let thinkingSince: number | null = null
    let reasoningMs: number | null = null
    const thought = () => (reasoning ? { text: reasoning, ms: reasoningMs } : undefined)
    const endThinking = () => {
      if (thinkingSince !== null && reasoningMs === null) reasoningMs = this.now() - thinkingSince
    }

    // The first words are stored at once, then at least once a second. A failed save (disk full) must not
    // stop the reply: it stays on screen and the save is tried again a second later.
    const saves = new DeltaCoalescer(SAVE_INTERVAL_MS, () => {
      try {
        this.repo.saveContent(reply.id, content, 'streaming', null, thought())
      } catch {
        saves.push()
      }
    })
    let toldThinkingTime = false
    const deltas = new DeltaCoalescer(DELTA_INTERVAL_MS, (batch) => {
      const thinkingTime = reasoningMs !== null && !toldThinkingTime ? { reasoningMs } : {}
      toldThinkingTime ||= reasoningMs !== null
      this.events.emit('chat.delta', {
        conversationId,
        messageId: reply.id,
        text: batch.text,
        ...(batch.reasoning ? { reasoning: batch.reasoning } : {}),
        ...thinkingTime,
      })
    })

    let contextShifted = false
    let stats: ReplyStats | null = null
    const finish = (state: Message['state'], error: string | null = null) => {
      // Everything streamed reaches the UI before the finished message does.
      deltas.flush()
      deltas.stop()
      saves.stop()
      endThinking()
      // The cooldown before mining resumes counts from the end of the reply, not its start.
      endLocalUse()
      this.streaming.delete(reply.id)
      try {
        this.repo.saveContent(reply.id, content, state, error, thought())
        if (contextShifted) this.repo.markContextShifted(reply.id)
        if (stats) this.repo.saveStats(reply.id, stats)
        const message = this.repo.getMessage(reply.id)
        if (message) this.events.emit('chat.message', message)
      } catch (failure) {
        // Not saved: the UI still gets the whole reply, marked with why it is not in the history.
        const problem = messageOf(asStorageError(failure))
        const thinking = reasoning ? { reasoning, ...(reasoningMs === null ? {} : { reasoningMs }) } : {}
        this.events.emit('chat.message', { ...reply, content, ...thinking, state: 'error', error: problem, updatedAt: Date.now() })
      }
    }

    const done = this.produceReply(
      conversationId,
      turns,
      settings,
      {
        signal: controller.signal,
        onProgress: (stage) => this.events.emit('chat.progress', { conversationId, messageId: reply.id, ...stage }),
        onReasoning: (text) => {
          thinkingSince ??= this.now()
          reasoning += text
          saves.push()
          deltas.push({ reasoning: text })
        },
        onText: (text) => {
          endThinking()
          content += text
          saves.push()
          deltas.push({ text })
        },
      },
      source,
    ).then(
      (result: GenerateResult) => {
        // The source's final text is authoritative (stop strings trimmed, nothing lost in transit).
        content = result.text
        if (result.reasoning !== undefined) reasoning = result.reasoning
        contextShifted = result.contextShifted === true
        stats = { tokens: result.completionTokens, durationMs: result.durationMs, finishReason: result.finishReason }
        finish(result.finishReason === 'abort' ? 'stopped' : 'complete')
      },
      (error: unknown) => {
        const message = error instanceof AppError ? error.message : 'The reply failed.'
        finish('error', message)
      },
    )
    this.streaming.set(reply.id, { conversationId, controller, done })
  }

  private existing(conversationId: string): ConversationSummary {
    const summary = this.repo.getConversation(conversationId)
    if (!summary) throw new AppError('NOT_FOUND', 'That conversation no longer exists.')
    return summary
  }

  private existingMessage(messageId: string): Message {
    const message = this.repo.getMessage(messageId)
    if (!message || !this.repo.getConversation(message.conversationId)) {
      throw new AppError('NOT_FOUND', 'That message no longer exists.')
    }
    return message
  }

  private requireIdle(conversationId: string): void {
    if ([...this.streaming.values()].some((entry) => entry.conversationId === conversationId)) {
      throw new AppError('BUSY', 'A reply is still being written in this conversation; stop it first.')
    }
  }

  private emitList(): void {
    this.events.emit('chat.conversations', this.list())
  }
}

function versionsOf(all: Record<string, string[]>, ids: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(ids.filter((id) => all[id]).map((id) => [id, all[id]!]))
}

function messageOf(error: unknown): string {
  return error instanceof AppError ? error.message : 'Saving the reply failed.'
}
