import { z } from 'zod'
import type { GridNetwork, Message, ReplyBackend } from './domain.js'

/**
 * Where a conversation's replies come from: the local model, community workers on a grid, or the inference
 * server the user runs (the one saved in "Where the tokens come from").
 */
export type ChatBackend = { kind: 'local' } | { kind: 'grid'; network: GridNetwork; model: string } | { kind: 'server' }

/** Checks a backend choice coming from the renderer. */
export const chatBackendSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local') }),
  z.strictObject({ kind: z.literal('server') }),
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

/** What a reply from the user's own inference server is labelled with. */
export const SERVER_NAME = 'My server'

/** The networks by the names people know them. */
export const GRID_NAMES: Record<GridNetwork, string> = { aipg: 'AIPG grid', horde: 'AI Horde' }

/** Who writes a reply, as it is stored with the reply. */
export interface ReplyAuthor {
  backend: ReplyBackend
  /** A local model's file name, the grid's model name, or the model as the user's server lists it. */
  model: string
  /** For a grid: the origin of the grid URL the reply was asked from; for the user's server: its origin. */
  gridOrigin: string | null
}

/** True for replies community workers wrote. */
export function isGridBackend(backend: ReplyBackend | undefined): backend is GridNetwork {
  return backend === 'aipg' || backend === 'horde'
}

/** The name shown above a reply, made from what is stored about who wrote it. */
export function replyLabel(message: Pick<Message, 'backend' | 'model'>): string | null {
  if (isGridBackend(message.backend))
    return message.model ? `${GRID_NAMES[message.backend]} · ${message.model}` : GRID_NAMES[message.backend]
  if (message.backend === 'server') return message.model ? `${SERVER_NAME} · ${message.model}` : SERVER_NAME
  return message.model
}

/**
 * True once part of this conversation has been sent to that grid (to any grid when none is named), so the
 * notice that its community workers will read it has already been accepted for it.
 */
export function wentToGrid(messages: readonly Pick<Message, 'role' | 'backend'>[], network?: GridNetwork): boolean {
  return messages.some((m) => m.role === 'assistant' && isGridBackend(m.backend) && (!network || m.backend === network))
}

/** The backend that wrote a reply, to write its follow-ups (regenerate, edit) the same way; else the local model. */
export function backendOf(message: Pick<Message, 'backend' | 'model'> | undefined): ChatBackend {
  if (message && isGridBackend(message.backend) && message.model) return { kind: 'grid', network: message.backend, model: message.model }
  if (message?.backend === 'server') return { kind: 'server' }
  return { kind: 'local' }
}
