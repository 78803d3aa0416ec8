import { z } from 'zod'
import { DEFAULT_CONVERSATION_SETTINGS } from '../../../shared/chatSettings.js'
import type { ExportedConversation, ExportedMessage } from './exportFormat.js'

const nodeSchema = z.object({
  id: z.string(),
  parent: z.string().nullable().optional(),
  children: z.array(z.string()).optional(),
  message: z
    .object({
      author: z.object({ role: z.string() }),
      content: z.object({ content_type: z.string().optional(), parts: z.array(z.unknown()).optional() }).optional(),
      create_time: z.number().nullable().optional(),
    })
    .nullable()
    .optional(),
})

const conversationSchema = z.object({
  title: z.string().nullable().optional(),
  create_time: z.number().nullable().optional(),
  update_time: z.number().nullable().optional(),
  mapping: z.record(z.string(), nodeSchema),
  current_node: z.string().nullable().optional(),
})

/** ChatGPT's `conversations.json` (Settings → Data controls → Export). Only the fields used are checked. */
export const chatGptExportSchema = z.array(conversationSchema)

const ROLES: Record<string, ExportedMessage['role']> = { user: 'user', assistant: 'assistant', system: 'system' }

/**
 * Turns ChatGPT's `mapping` tree into GridForge branches. Nodes without text (the hidden root, tool
 * calls, images) are skipped and their children attached to the nearest kept ancestor; the conversation's
 * `current_node` becomes the active path.
 */
export function fromChatGpt(data: z.infer<typeof chatGptExportSchema>): ExportedConversation[] {
  return data.map((conversation) => {
    const nodes = conversation.mapping
    const kept = new Map<string, ExportedMessage>()
    const createdAt = seconds(conversation.create_time) ?? Date.now()
    let order = 0
    const keptAncestor = (id: string | null | undefined): string | null => {
      const seen = new Set<string>()
      while (id && !seen.has(id)) {
        seen.add(id)
        if (kept.has(id)) return id
        id = nodes[id]?.parent ?? null
      }
      return null
    }
    // Walk from the roots so parents are written before their children.
    const roots = Object.values(nodes).filter((node) => !node.parent || !nodes[node.parent])
    const queue = [...roots]
    const visited = new Set<string>()
    while (queue.length > 0) {
      const node = queue.shift()!
      if (visited.has(node.id)) continue
      visited.add(node.id)
      const role = node.message ? ROLES[node.message.author.role] : undefined
      const text = (node.message?.content?.parts ?? []).filter((part) => typeof part === 'string').join('\n')
      if (role && text.trim()) {
        const time = seconds(node.message?.create_time) ?? createdAt
        kept.set(node.id, {
          id: node.id,
          parentId: keptAncestor(node.parent),
          role,
          content: text,
          state: 'complete',
          error: null,
          model: null,
          selectedAt: ++order,
          createdAt: time,
          updatedAt: time,
        })
      }
      for (const child of node.children ?? []) if (nodes[child]) queue.push(nodes[child])
    }
    // The active path is the current node's chain: stamp it last so it wins among its siblings.
    let current = keptAncestor(conversation.current_node)
    const path: string[] = []
    while (current) {
      path.unshift(current)
      current = kept.get(current)?.parentId ?? null
    }
    for (const id of path) kept.get(id)!.selectedAt = ++order
    return {
      id: Object.keys(nodes)[0] ?? 'chatgpt',
      title: conversation.title?.trim() || 'Imported chat',
      createdAt,
      updatedAt: seconds(conversation.update_time) ?? createdAt,
      settings: DEFAULT_CONVERSATION_SETTINGS,
      messages: [...kept.values()],
    }
  })
}

function seconds(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 1000) : null
}
