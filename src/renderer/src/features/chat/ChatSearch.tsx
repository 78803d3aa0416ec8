import { useEffect, useState } from 'react'
import type { ChatSearchHit } from '../../../../shared/domain'
import { FOCUS_IDS } from '../../shell/focusTarget'
import { openHit, searchChats } from './chatActions'

const DEBOUNCE_MS = 150

/** Full-text search over titles and messages; the matched words are marked, never rendered as HTML. */
export function ChatSearch() {
  const [query, setQuery] = useState('')
  const [hits, setHits] = useState<ChatSearchHit[] | null>(null)

  useEffect(() => {
    if (!query.trim()) {
      setHits(null)
      return
    }
    let current = true
    const timer = setTimeout(() => {
      void searchChats(query).then((found) => current && setHits(found))
    }, DEBOUNCE_MS)
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [query])

  return (
    <div className="chat-search">
      <input
        type="search"
        id={FOCUS_IDS.search}
        aria-keyshortcuts="Control+K"
        aria-label="Search chats"
        placeholder="Search chats (Ctrl+K)"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      {hits && (
        <ul className="search-hits" aria-label="Search results">
          {hits.length === 0 && <li className="none">No matches</li>}
          {hits.map((hit, index) => (
            <li key={`${hit.conversationId}-${hit.messageId ?? 'title'}-${index}`}>
              <button type="button" onClick={() => void openHit(hit)}>
                <span className="hit-title">{hit.title}</span>
                <span className="hit-snippet">
                  {hit.snippet.map((part, i) => (part.hit ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
