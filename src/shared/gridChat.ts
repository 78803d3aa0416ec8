import { z } from 'zod'
import type { GridNetwork, Message } from './domain.js'

/** Where a conversation's replies come from: the local model, or community workers on a grid. */
export type ChatBackend = { kind: 'local' } | { kind: 'grid'; network: GridNetwork; model: string }

/** Checks a backend choice coming from the renderer. */
export const chatBackendSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local') }),
  z.strictObject({
    kind: z.literal('grid'),
    network: z.enum(['aipg', 'horde']),
    model: z.string().trim().min(1).max(255),
  }),
])

/** A model that workers on a grid serve now. */
export interface GridModel {
  id: string
  /** Workers serving it, where the grid says. */
  workers: number | null
}

/** How a grid reply is coming along before its first words (the AI Horde's queue). */
export interface ReplyStage {
  stage: 'queued' | 'processing'
  /** Place in the grid's queue; null when the grid does not say. */
  queuePosition: number | null
  /** The grid's estimate of the wait, in seconds. */
  waitSeconds: number | null
}

/** `ReplyStage` for one streaming reply, pushed as the `chat.progress` event. */
export interface ReplyProgress extends ReplyStage {
  conversationId: string
  messageId: string
}

/** The networks by the names people know them. */
export const GRID_NAMES: Record<GridNetwork, string> = { aipg: 'AIPG grid', horde: 'AI Horde' }

const LABEL_SEPARATOR = ' · '

/** The `model` recorded on a grid reply: which grid and which model wrote it. */
export function gridReplyLabel(network: GridNetwork, model: string): string {
  return `${GRID_NAMES[network]}${LABEL_SEPARATOR}${model}`
}

/**
 * True once part of this conversation has been sent to a grid, so the notice that community workers will
 * read it has already been accepted for it.
 */
export function wentToGrid(messages: readonly Pick<Message, 'role' | 'model'>[]): boolean {
  const prefixes = Object.values(GRID_NAMES).map((name) => name + LABEL_SEPARATOR)
  return messages.some((m) => m.role === 'assistant' && prefixes.some((prefix) => m.model?.startsWith(prefix)))
}

/** The backend that wrote a reply, read back from its recorded `model`: a grid's label, else the local model. */
export function backendOfReply(model: string | null): ChatBackend {
  for (const network of Object.keys(GRID_NAMES) as GridNetwork[]) {
    const prefix = GRID_NAMES[network] + LABEL_SEPARATOR
    if (model?.startsWith(prefix) && model.length > prefix.length) {
      return { kind: 'grid', network, model: model.slice(prefix.length) }
    }
  }
  return { kind: 'local' }
}
