import { useEffect } from 'react'
import { useStore } from '../../api/store'
import { undoDelete, undoDeleteStore } from './chatActions'

const SHOW_MS = 8000

/** "Deleted … Undo" after a conversation is deleted; it stays restorable on the host for a while longer. */
export function UndoToast() {
  const deleted = useStore(undoDeleteStore)
  useEffect(() => {
    if (!deleted) return
    const timer = setTimeout(() => undoDeleteStore.set((current) => (current === deleted ? null : current)), SHOW_MS)
    return () => clearTimeout(timer)
  }, [deleted])
  if (!deleted) return null
  return (
    <div className="toast" role="status">
      Deleted “{deleted.title}”.
      <button type="button" onClick={() => void undoDelete()}>
        Undo
      </button>
    </div>
  )
}
