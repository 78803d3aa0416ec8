import { useStore } from '../../api/store'
import { replyProgressStore } from './gridChatState'

/** "Waiting in the AI Horde queue: position 3, about 40 s" under a grid reply that has no text yet. */
export function ReplyProgressNote({ messageId }: { messageId: string }) {
  const stage = useStore(replyProgressStore).get(messageId)
  if (!stage) return null
  let text: string
  if (stage.stage === 'processing') text = 'A community worker is writing the reply…'
  else {
    const position = stage.queuePosition !== null ? `position ${stage.queuePosition + 1}` : null
    const wait = stage.waitSeconds !== null ? `about ${formatWait(stage.waitSeconds)}` : null
    text = `Waiting in the grid queue${position || wait ? `: ${[position, wait].filter(Boolean).join(', ')}` : '…'}`
  }
  return (
    <p className="reply-progress" role="status">
      {text}
    </p>
  )
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`
  return `${Math.round(seconds / 60)} min`
}
