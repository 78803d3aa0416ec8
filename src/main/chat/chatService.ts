import type { Conversation, ConversationSummary, Message, SendResult } from '../../shared/domain.js'
import type { ChatTurn, GenerateResult } from '../../shared/generation.js'
import { AppError } from '../../shared/result.js'
import type { Engine } from '../engine/engine.js'
import type { HostEvents } from '../host/events.js'
import type { ChatRepository } from '../store/chatRepository.js'
import { asStorageError, withStorage } from '../store/storageErrors.js'
import type { ReplySource } from './replySource.js'

/** A streaming reply is written to the store at least this often, so a crash loses at most this much. */
export const SAVE_INTERVAL_MS = 1000
const TITLE_CHARS = 60
const DEFAULT_MAX_TOKENS = 1024

interface Streaming {
  conversationId: string
  controller: AbortController
  done: Promise<void>
}

/** Conversations and local replies: stores every message before and while it is generated. */
export class ChatService {
  private readonly streaming = new Map<string, Streaming>()

  constructor(
    private readonly repo: ChatRepository,
    private readonly engine: Engine,
    private readonly events: HostEvents,
    /** Tells the miner the user is here: local chat comes before grid jobs. Returns "done". */
    private readonly beginLocalUse: () => () => void = () => () => undefined,
  ) {
    // Replies that were streaming when the app last stopped (killed, crashed) are kept, marked interrupted.
    repo.markStreamingInterrupted()
  }

  list(): ConversationSummary[] {
    return this.repo.listConversations()
  }

  get(conversationId: string): Conversation {
    const summary = this.repo.getConversation(conversationId)
    if (!summary) throw new AppError('NOT_FOUND', 'That conversation no longer exists.')
    return { ...summary, messages: this.repo.listMessages(conversationId) }
  }

  async delete(conversationId: string): Promise<boolean> {
    for (const [messageId, entry] of this.streaming) {
      if (entry.conversationId === conversationId) {
        this.stop(messageId)
        await entry.done
      }
    }
    const deleted = this.repo.deleteConversation(conversationId)
    if (deleted) this.events.emit('chat.conversations', this.list())
    return deleted
  }

  /**
   * Stores the user's message and an empty reply, then streams the reply in the background. Both rows
   * exist before the first token, so nothing the user typed is lost if the app dies mid-reply.
   */
  send(conversationId: string | null, text: string, systemPrompt?: string, source?: ReplySource): SendResult {
    // A grid source needs no local model.
    const model = source ? { fileName: source.label } : this.engine.snapshot().model
    if (!model) throw new AppError('NO_MODEL', 'Load a model before sending a message.')
    if (conversationId) {
      if (!this.repo.getConversation(conversationId)) {
        throw new AppError('NOT_FOUND', 'That conversation no longer exists.')
      }
      if ([...this.streaming.values()].some((entry) => entry.conversationId === conversationId)) {
        throw new AppError('BUSY', 'A reply is still being written in this conversation; stop it first.')
      }
    }
    // If the disk is full this throws a clear error before anything is generated, and the UI keeps the draft.
    const { conversation, userMessage, turns, assistantMessage } = withStorage(() => {
      const conversation = conversationId
        ? this.repo.getConversation(conversationId)!
        : this.repo.createConversation(titleFrom(text))
      if (systemPrompt && !conversationId) {
        this.repo.appendMessage({ conversationId: conversation.id, role: 'system', content: systemPrompt, state: 'complete', model: null })
      }
      const userMessage = this.repo.appendMessage({
        conversationId: conversation.id,
        role: 'user',
        content: text,
        state: 'complete',
        model: null,
      })
      const turns = this.turnsOf(conversation.id)
      const assistantMessage = this.repo.appendMessage({
        conversationId: conversation.id,
        role: 'assistant',
        content: '',
        state: 'streaming',
        model: model.fileName,
      })
      return { conversation, userMessage, turns, assistantMessage }
    })
    this.stream(assistantMessage, turns, source)
    this.events.emit('chat.conversations', this.list())
    return {
      conversation: this.repo.getConversation(conversation.id) ?? conversation,
      userMessage,
      assistantMessage,
    }
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

  private turnsOf(conversationId: string): ChatTurn[] {
    return this.repo
      .listMessages(conversationId)
      .filter((message) => message.content.length > 0 && message.state !== 'error')
      .map((message) => ({ role: message.role, content: message.content }))
  }

  private stream(reply: Message, turns: ChatTurn[], source?: ReplySource): void {
    const controller = new AbortController()
    // Only the local model competes with mining; a grid reply leaves it alone.
    const endLocalUse = source ? () => undefined : this.beginLocalUse()
    let content = ''
    let savedLength = 0
    // A failed save (disk full) must not stop the reply: it stays on screen and the next save retries.
    const save = () => {
      if (content.length === savedLength) return
      try {
        this.repo.saveContent(reply.id, content, 'streaming')
        savedLength = content.length
      } catch {
        savedLength = -1
      }
    }
    const timer = setInterval(save, SAVE_INTERVAL_MS)

    const finish = (state: Message['state'], error: string | null = null) => {
      clearInterval(timer)
      // The cooldown before mining resumes counts from the end of the reply, not its start.
      endLocalUse()
      this.streaming.delete(reply.id)
      try {
        this.repo.saveContent(reply.id, content, state, error)
        const message = this.repo.getMessage(reply.id)
        if (message) this.events.emit('chat.message', message)
      } catch (failure) {
        // Not saved: the UI still gets the whole reply, marked with why it is not in the history.
        const problem = messageOf(asStorageError(failure))
        this.events.emit('chat.message', { ...reply, content, state: 'error', error: problem, updatedAt: Date.now() })
      }
    }

    const done = (source ?? this.engine)
      .generate(
        { kind: 'chat', turns, params: { maxTokens: DEFAULT_MAX_TOKENS } },
        {
          signal: controller.signal,
          onProgress: (stage) =>
            this.events.emit('chat.progress', { conversationId: reply.conversationId, messageId: reply.id, ...stage }),
          onText: (text) => {
            content += text
            // The first words are stored at once; after that at most once a second.
            if (savedLength === 0) save()
            this.events.emit('chat.delta', { conversationId: reply.conversationId, messageId: reply.id, text })
          },
        },
      )
      .then(
        (result: GenerateResult) => {
          // The engine's final text is authoritative (stop strings trimmed, nothing lost in transit).
          content = result.text
          finish(result.finishReason === 'abort' ? 'stopped' : 'complete')
        },
        (error: unknown) => {
          const message = error instanceof AppError ? error.message : 'The reply failed.'
          finish('error', message)
        },
      )
    this.streaming.set(reply.id, { conversationId: reply.conversationId, controller, done })
  }
}

function messageOf(error: unknown): string {
  return error instanceof AppError ? error.message : 'Saving the reply failed.'
}

function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0] ?? ''
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1).trimEnd()}…` : line || 'New chat'
}
