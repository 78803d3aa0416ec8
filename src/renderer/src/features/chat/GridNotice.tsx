import { memo, useEffect, useRef } from 'react'
import { GRID_NAMES } from '../../../../shared/gridChat'
import { useStore } from '../../api/store'
import { gridNoticeStore } from './gridChatState'

/** Asked once per conversation, before any of it leaves this computer for a grid. */
export const GridNotice = memo(function GridNotice() {
  const notice = useStore(gridNoticeStore)
  const accept = useRef<HTMLButtonElement>(null)
  useEffect(() => accept.current?.focus(), [notice])
  if (!notice) return null
  const grid = GRID_NAMES[notice.network]
  return (
    <div className="modal-backdrop">
      <div className="modal" role="alertdialog" aria-modal="true" aria-labelledby="grid-notice-title" aria-describedby="grid-notice-text">
        <h2 id="grid-notice-title">Send this conversation to the {grid}?</h2>
        <p id="grid-notice-text">
          The {grid} is run by community workers: other people&apos;s computers. The whole conversation, including this message, will be
          sent to one of them to write the reply, and it is not private. Only the local model keeps everything on this computer.
        </p>
        <div className="modal-actions">
          <button type="button" onClick={() => notice.resolve(false)}>
            Cancel
          </button>
          <button type="button" ref={accept} className="primary" onClick={() => notice.resolve(true)}>
            Send to the {grid}
          </button>
        </div>
      </div>
    </div>
  )
})
