import type { Conversation } from '../../../../shared/domain'

/**
 * A changed conversation (after regenerate, edit, select, delete) comes back as its latest page. The
 * path before that page did not change, so the earlier messages the user already scrolled through stay.
 */
export function mergePage(current: Conversation | null, next: Conversation): Conversation {
  if (!current || current.id !== next.id || !next.olderMessages) return next
  const first = next.messages[0]
  if (!first) return next
  let keep = current.messages.findIndex((message) => message.id === first.id)
  if (keep < 0 && first.parentId) {
    // The page starts with a new version: everything up to its parent stays.
    const parent = current.messages.findIndex((message) => message.id === first.parentId)
    keep = parent < 0 ? -1 : parent + 1
  }
  const currentOlder = current.olderMessages ?? 0
  if (keep <= 0 || currentOlder + keep !== next.olderMessages) return next
  const kept = current.messages.slice(0, keep)
  const keptVersions = Object.fromEntries(
    kept.filter((message) => current.versions?.[message.id]).map((message) => [message.id, current.versions![message.id]!]),
  )
  return {
    ...next,
    messages: [...kept, ...next.messages],
    versions: { ...keptVersions, ...next.versions },
    olderMessages: currentOlder,
  }
}
