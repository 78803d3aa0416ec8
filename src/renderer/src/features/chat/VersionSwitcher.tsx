import { selectVersion } from './chatActions'

/** ‹ 2/3 ›: browses the versions of a message (regenerated replies, edited messages). */
export function VersionSwitcher({ messageId, versions }: { messageId: string; versions: string[] | undefined }) {
  if (!versions || versions.length < 2) return null
  const index = versions.indexOf(messageId)
  const previous = versions[index - 1]
  const next = versions[index + 1]
  return (
    <span className="versions" role="group" aria-label="Versions">
      <button type="button" aria-label="Previous version" disabled={!previous} onClick={() => previous && void selectVersion(previous)}>
        ‹
      </button>
      <span className="version-count">
        {index + 1}/{versions.length}
      </span>
      <button type="button" aria-label="Next version" disabled={!next} onClick={() => next && void selectVersion(next)}>
        ›
      </button>
    </span>
  )
}
