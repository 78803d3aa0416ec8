import { useRef, useState } from 'react'
import { exportChats, importChats } from './chatActions'

/** Export of every conversation, and import of a GridForge or ChatGPT export file. */
export function ChatTransfer() {
  const input = useRef<HTMLInputElement>(null)
  const [note, setNote] = useState<string | null>(null)
  return (
    <div className="chat-transfer">
      <button type="button" onClick={() => void exportChats(null, 'json')}>
        Export all
      </button>
      <button type="button" onClick={() => input.current?.click()}>
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
          setNote(`Importing ${file.name}…`)
          const imported = await importChats(file)
          setNote(imported ? `Imported ${imported.length} conversation${imported.length === 1 ? '' : 's'}.` : null)
        }}
      />
      {note && (
        <p className="transfer-note" role="status">
          {note}
        </p>
      )}
    </div>
  )
}
