import { useEffect, useRef } from 'react'
import type { Message } from '../../../../shared/domain'
import { MessageActions } from './MessageActions'

const STATE_NOTES: Partial<Record<Message['state'], string>> = {
  stopped: 'Stopped',
  interrupted: 'Interrupted: GridForge closed while this reply was being written',
  error: 'Failed',
}

/** The messages of the open conversation. Text is rendered as text, never as HTML. */
export function MessageList({ messages, versions }: { messages: Message[]; versions?: Record<string, string[]> }) {
  const busy = messages.some((message) => message.state === 'streaming')
  const end = useRef<HTMLDivElement>(null)
  const last = messages.at(-1)
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' })
  }, [messages.length, last?.content.length])

  if (messages.length === 0) {
    return (
      <div className="messages empty">
        <p>Load a model above, then type a message. Everything stays on this computer.</p>
      </div>
    )
  }
  return (
    <div className="messages" role="log" aria-live="polite">
      {messages.map((message) => (
        <article key={message.id} className={`message ${message.role}`} data-state={message.state}>
          <header>{message.role === 'user' ? 'You' : message.role === 'system' ? 'System prompt' : (message.model ?? 'Assistant')}</header>
          <div className="content">
            {message.content}
            {message.state === 'streaming' && <span className="cursor" aria-hidden="true" />}
          </div>
          {STATE_NOTES[message.state] && (
            <footer className="state">
              {STATE_NOTES[message.state]}
              {message.error ? `: ${message.error}` : ''}
            </footer>
          )}
          <MessageActions message={message} versions={versions?.[message.id]} busy={busy} />
        </article>
      ))}
      <div ref={end} />
    </div>
  )
}
