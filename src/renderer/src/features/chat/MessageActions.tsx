import { useState } from 'react'
import type { Message } from '../../../../shared/domain'
import { deleteMessage, editAndResend, regenerate } from './chatActions'
import { VersionSwitcher } from './VersionSwitcher'

/** Under each message: its versions, and copy, edit (yours) or regenerate (replies), delete. */
export function MessageActions({
  message,
  versions,
  busy,
}: {
  message: Message
  versions: string[] | undefined
  /** A reply is streaming in this conversation: nothing new may start. */
  busy: boolean
}) {
  const [editing, setEditing] = useState<string | null>(null)
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle')
  if (message.role === 'system' || message.state === 'streaming') return null

  if (editing !== null) {
    const submit = async () => {
      if (editing.trim() && (await editAndResend(message.id, editing))) setEditing(null)
    }
    return (
      <form
        className="edit-message"
        onSubmit={(event) => {
          event.preventDefault()
          void submit()
        }}
      >
        <textarea aria-label="Edited text" value={editing} rows={3} autoFocus onChange={(event) => setEditing(event.target.value)} />
        <button type="submit" disabled={busy || !editing.trim()}>
          Send edit
        </button>
        <button type="button" onClick={() => setEditing(null)}>
          Cancel
        </button>
      </form>
    )
  }

  const copyText = async () => {
    // A clipboard the window may not write to (no permission, no focus) must not look like a copy.
    const copied = await (navigator.clipboard?.writeText(message.content) ?? Promise.reject(new Error('no clipboard'))).then(
      () => true,
      () => false,
    )
    setCopy(copied ? 'copied' : 'failed')
    setTimeout(() => setCopy('idle'), 1500)
  }
  return (
    <div className="message-actions">
      <VersionSwitcher messageId={message.id} versions={versions} />
      <button type="button" onClick={() => void copyText()}>
        {copy === 'copied' ? 'Copied' : copy === 'failed' ? 'Copy failed' : 'Copy'}
      </button>
      {message.role === 'user' ? (
        <button type="button" disabled={busy} onClick={() => setEditing(message.content)}>
          Edit
        </button>
      ) : (
        <button type="button" disabled={busy} onClick={() => void regenerate(message.id)}>
          Regenerate
        </button>
      )}
      <button type="button" disabled={busy} onClick={() => void deleteMessage(message.id)}>
        Delete
      </button>
    </div>
  )
}
