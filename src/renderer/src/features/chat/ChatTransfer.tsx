import { useEffect, useRef, useState } from 'react'
import type { ImportProgressEvent } from '../../../../shared/storage'
import { api } from '../../api/bridge'
import { exportChats, importChats } from './chatActions'

const count = new Intl.NumberFormat()

/** Export of every conversation, and import of a GridForge or ChatGPT export file with its progress and a cancel. */
export function ChatTransfer() {
  const input = useRef<HTMLInputElement>(null)
  const [note, setNote] = useState<string | null>(null)
  const [running, setRunning] = useState<{ uploadId: string; fileName: string } | null>(null)
  const [progress, setProgress] = useState<ImportProgressEvent | null>(null)
  useEffect(() => api?.on('chat.importProgress', setProgress), [])
  const shown = running && progress?.uploadId === running.uploadId ? progress : null
  return (
    <div className="chat-transfer">
      <button type="button" onClick={() => void exportChats(null, 'json')}>
        Export all
      </button>
      <button type="button" disabled={running !== null} onClick={() => input.current?.click()}>
        Import…
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        aria-label="Import chats file"
        hidden
        onChange={async (event) => {
          const file = event.target.files?.[0]
          event.target.value = ''
          if (!file) return
          const uploadId = crypto.randomUUID()
          setProgress(null)
          setNote(null)
          setRunning({ uploadId, fileName: file.name })
          const imported = await importChats(file, uploadId)
          setRunning(null)
          setNote(imported ? `Imported ${imported.length} conversation${imported.length === 1 ? '' : 's'}.` : null)
        }}
      />
      {running && (
        <div className="import-progress" role="status">
          <label>
            {shown
              ? `Importing ${running.fileName}: ${count.format(shown.stored)} of ${count.format(shown.total)} messages`
              : `Reading ${running.fileName}…`}{' '}
            <progress max={shown?.total ?? undefined} value={shown?.stored ?? undefined} />
          </label>
          <button type="button" onClick={() => void api?.call('chat.importCancel', { uploadId: running.uploadId })}>
            Cancel import
          </button>
        </div>
      )}
      {note && (
        <p className="transfer-note" role="status">
          {note}
        </p>
      )}
    </div>
  )
}
