import { useState } from 'react'
import type { Message } from '../../../../shared/domain'
import { CopyIcon, EditIcon, RegenerateIcon, TrashIcon } from '../../components/icons'
import { FOCUS_IDS, focusWhenShown } from '../../shell/focusTarget'
import { deleteMessage, editAndResend, regenerate } from './chatActions'
import { enterSends } from './enterSends'
import { VersionSwitcher } from './VersionSwitcher'

const editButtonId = (messageId: string) => `edit-${messageId}`

/**
 * Under each message: its versions, and copy, edit (yours) or regenerate (replies), delete. Starting a new
 * reply (Regenerate, Send edit) puts the cursor in the message box, where Escape stops it and typing goes on.
 */
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
      if (busy || !editing.trim()) return
      if (await editAndResend(message.id, editing)) {
        setEditing(null)
        focusWhenShown(FOCUS_IDS.composer)
      }
    }
    const cancel = () => {
      setEditing(null)
      focusWhenShown(editButtonId(message.id))
    }
    return (
      <form
        className="edit-message"
        onSubmit={(event) => {
          event.preventDefault()
          void submit()
        }}
      >
        <textarea
          aria-label="Edited text"
          value={editing}
          rows={3}
          autoFocus
          onChange={(event) => setEditing(event.target.value)}
          onKeyDown={(event) => {
            enterSends(event, () => void submit())
            if (event.key === 'Escape') {
              // Handled here: the chat's own Escape (stop the reply) must not also act on it.
              event.preventDefault()
              cancel()
            }
          }}
        />
        <button type="submit" disabled={busy || !editing.trim()}>
          Send edit
        </button>
        <button type="button" onClick={cancel}>
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
        <CopyIcon size={14} />
        <span>{copy === 'copied' ? 'Copied' : copy === 'failed' ? 'Copy failed' : 'Copy'}</span>
      </button>
      {message.role === 'user' ? (
        <button type="button" id={editButtonId(message.id)} disabled={busy} onClick={() => setEditing(message.content)}>
          <EditIcon size={14} />
          <span>Edit</span>
        </button>
      ) : (
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            focusWhenShown(FOCUS_IDS.composer)
            void regenerate(message.id)
          }}
        >
          <RegenerateIcon size={14} />
          <span>Regenerate</span>
        </button>
      )}
      <button type="button" disabled={busy} onClick={() => void deleteMessage(message.id)}>
        <TrashIcon size={14} />
        <span>Delete</span>
      </button>
    </div>
  )
}
