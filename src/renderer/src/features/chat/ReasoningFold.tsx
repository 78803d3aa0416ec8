import { memo } from 'react'
import { MessageBody } from './MessageBody'
import { thoughtFor } from './thoughtFor'

/**
 * A reply's thinking, folded under one line ("Thought for 4 s") that unfolds on click. Rendered with the
 * same safe Markdown as replies: text, never HTML.
 */
export const ReasoningFold = memo(function ReasoningFold({
  reasoning,
  reasoningMs,
  thinking,
}: {
  reasoning: string
  reasoningMs: number | undefined
  /** Still thinking: no answer text yet while the reply streams. */
  thinking: boolean
}) {
  return (
    <details className="reasoning">
      <summary>{thoughtFor(reasoningMs, thinking)}</summary>
      <MessageBody text={reasoning} markdown streaming={thinking} />
    </details>
  )
})
