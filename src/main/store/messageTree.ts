import type { Message } from '../../shared/domain.js'

/** What the tree needs of a message: its parent, write order and when it was last selected. */
export interface TreeNode {
  id: string
  parentId: string | null
  seq: number
  selectedAt: number
}

/** A stored message with its place in the tree. */
export interface TreeMessage extends Message, TreeNode {
  parentId: string | null
}

/**
 * The active path through a conversation's tree: from the roots, always the child selected most
 * recently. Also returns, for each message on the path with siblings, all sibling ids in write order
 * (the versions the UI lets the user browse).
 */
export function activePath<T extends TreeNode>(
  all: readonly T[],
): {
  messages: T[]
  versions: Record<string, string[]>
} {
  const children = new Map<string | null, T[]>()
  for (const message of all) {
    const list = children.get(message.parentId)
    if (list) list.push(message)
    else children.set(message.parentId, [message])
  }
  const messages: T[] = []
  const versions: Record<string, string[]> = {}
  const seen = new Set<string>()
  let siblings = children.get(null)
  while (siblings && siblings.length > 0) {
    const chosen = siblings.reduce((best, next) =>
      next.selectedAt > best.selectedAt || (next.selectedAt === best.selectedAt && next.seq > best.seq) ? next : best,
    )
    // A damaged tree (a cycle) must not hang the host.
    if (seen.has(chosen.id)) break
    seen.add(chosen.id)
    messages.push(chosen)
    if (siblings.length > 1) versions[chosen.id] = [...siblings].sort((a, b) => a.seq - b.seq).map((m) => m.id)
    siblings = children.get(chosen.id)
  }
  return { messages, versions }
}
