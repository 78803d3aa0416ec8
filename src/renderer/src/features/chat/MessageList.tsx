import { useVirtualizer } from '@tanstack/react-virtual'
import { memo, useLayoutEffect, useRef } from 'react'
import type { Message } from '../../../../shared/domain'
import { GRID_NAMES, SERVER_NAME, replyLabel } from '../../../../shared/gridChat'
import { bridgeStore } from '../../api/bridgeState'
import { engineStore, localModelsStore } from '../../api/appState'
import { goTo } from '../../api/navigation'
import { useStore } from '../../api/store'
import { MessageActions } from './MessageActions'
import { MessageBody } from './MessageBody'
import { ReasoningFold } from './ReasoningFold'
import { ReplyProgressNote } from './ReplyProgressNote'
import { loadOlderMessages } from './messagePages'
import { chatBackendStore } from './gridChatState'
import { replyStatsText } from './replyStatsText'

const STATE_NOTES: Partial<Record<Message['state'], string>> = {
  stopped: 'Stopped',
  interrupted: 'Interrupted: GridForge closed while this reply was being written',
  error: 'Failed',
}
/** A first guess of a row's height; each row is measured once it is on screen. */
const ESTIMATED_ROW_PX = 140
/** Within this distance of the bottom the list counts as "at the latest message" and follows new text. */
const AT_END_PX = 48
/** Within this distance of the top, earlier messages of a long conversation are loaded. */
const NEAR_TOP_PX = 600

function author(message: Message): string {
  if (message.role === 'user') return 'You'
  if (message.role === 'system') return 'System prompt'
  return replyLabel(message) ?? 'Assistant'
}

/** One message. Memoised: a streaming delta re-renders only the row whose message object changed. */
const MessageRow = memo(function MessageRow({
  message,
  versions,
  busy,
}: {
  message: Message
  versions: string[] | undefined
  busy: boolean
}) {
  const streaming = message.state === 'streaming'
  return (
    <article className={`message ${message.role}`} data-state={message.state}>
      <header>{author(message)}</header>
      {message.reasoning && (
        <ReasoningFold
          reasoning={message.reasoning}
          reasoningMs={message.reasoningMs}
          thinking={streaming && message.reasoningMs === undefined && message.content === ''}
        />
      )}
      <MessageBody text={message.content} markdown={message.role === 'assistant'} streaming={streaming} />
      {streaming && <ReplyProgressNote messageId={message.id} />}
      {message.stats && !streaming && message.role === 'assistant' && (
        <p className="reply-stats" data-finish={message.stats.finishReason}>
          {replyStatsText(message.stats)}
        </p>
      )}
      {message.contextShifted && <p className="context-note">Older messages no longer fit and were left out of this reply.</p>}
      {STATE_NOTES[message.state] && (
        <footer className="state">
          {STATE_NOTES[message.state]}
          {message.error ? `: ${message.error}` : ''}
        </footer>
      )}
      <MessageActions message={message} versions={versions} busy={busy} />
    </article>
  )
})

/**
 * The messages of the open conversation, virtualised: only the rows on screen exist in the page, each
 * measured as it renders, so a 5,000-message conversation opens as fast as a short one. The list follows
 * a streaming reply while the user is at the bottom and stays put once they scroll up.
 */
export function MessageList({
  conversationId,
  messages,
  versions,
  hasOlder = false,
}: {
  conversationId: string | null
  messages: Message[]
  versions?: Record<string, string[]>
  /** Earlier messages exist that are not loaded yet; they load when the user scrolls near the top. */
  hasOlder?: boolean
}) {
  if (messages.length === 0) return <EmptyConversation />
  // A new conversation starts with fresh measurements and at its latest message.
  return <VirtualMessages key={conversationId ?? 'new'} messages={messages} versions={versions} hasOlder={hasOlder} />
}

/** What a new conversation shows: the next step, depending on whether a model is loaded or on this PC at all. */
function EmptyConversation() {
  const engine = useStore(engineStore)
  const models = useStore(localModelsStore)
  const hasModels = models.some((model) => model.present)
  const backend = useStore(chatBackendStore)
  if (backend.kind === 'server') return <ServerPrivacyLine />
  if (backend.kind === 'grid') {
    return (
      <div className="messages empty">
        <p data-testid="privacy-line">
          Replies come from the {GRID_NAMES[backend.network]}: community workers, on other people&apos;s computers, will read this
          conversation.
        </p>
      </div>
    )
  }
  return (
    <div className="messages empty">
      <p data-testid="privacy-line">
        {engine?.model ? (
          `Type a message to ${engine.model.fileName} below. Everything stays on this computer.`
        ) : hasModels ? (
          'Choose a model above and press Load, then type a message. Everything stays on this computer.'
        ) : (
          <>
            There is no model on this PC yet.{' '}
            <button type="button" className="link" onClick={() => goTo('models')}>
              Get one in Models
            </button>{' '}
            (the recommended one fits this PC), then come back and type a message.
          </>
        )}
      </p>
    </div>
  )
}

function VirtualMessages({
  messages,
  versions,
  hasOlder,
}: {
  messages: Message[]
  versions?: Record<string, string[]>
  hasOlder: boolean
}) {
  const busy = messages.some((message) => message.state === 'streaming')
  const scroller = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    getItemKey: (index) => messages[index]!.id,
    overscan: 4,
    // Start at the bottom so the first render is already the latest messages, not the oldest.
    initialOffset: () => messages.length * ESTIMATED_ROW_PX,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: AT_END_PX,
  })

  useLayoutEffect(() => {
    virtualizer.scrollToIndex(messages.length - 1, { align: 'end' })
    // Only on mount: afterwards the virtualizer itself follows appended and growing messages.
  }, [])

  const atEnd = virtualizer.isAtEnd(AT_END_PX)
  return (
    <div className="messages-frame">
      <div
        className="messages"
        ref={scroller}
        role="log"
        aria-live="polite"
        // Prepended messages keep the one on screen in place: the virtualizer anchors to the end.
        onScroll={(event) => {
          if (hasOlder && event.currentTarget.scrollTop < NEAR_TOP_PX) void loadOlderMessages()
        }}
      >
        <div className="messages-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => (
            <div
              key={item.key}
              className="message-row"
              data-index={item.index}
              ref={virtualizer.measureElement}
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <MessageRow message={messages[item.index]!} versions={versions?.[messages[item.index]!.id]} busy={busy} />
            </div>
          ))}
        </div>
      </div>
      {!atEnd && (
        <button type="button" className="jump-latest" onClick={() => virtualizer.scrollToIndex(messages.length - 1, { align: 'end' })}>
          ↓ Jump to latest
        </button>
      )}
    </div>
  )
}

/** A new conversation through the user's own server: where it goes, in the words of the other privacy lines. */
function ServerPrivacyLine() {
  const server = useStore(bridgeStore)
  return (
    <div className="messages empty">
      <p data-testid="privacy-line">
        {server?.model
          ? `Replies come from ${SERVER_NAME} (${server.model}). This conversation stays on your own server at ${server.url}.`
          : `${SERVER_NAME} is not set up yet: choose the server and its model in Settings › Where the tokens come from.`}
      </p>
    </div>
  )
}
