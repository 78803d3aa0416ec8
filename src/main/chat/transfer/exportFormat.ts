import { z } from 'zod'
import { conversationSettingsSchema } from '../../../shared/chatSettings.js'

/**
 * Bumped when the file format changes; readers accept every version they know. Version 2 records which
 * backend wrote each reply as data and the model's thinking; in version 1 a grid reply's `model` was its
 * display label ("AIPG grid · <model>").
 */
export const EXPORT_VERSION = 2

export const exportedMessageSchema = z.strictObject({
  id: z.string().min(1).max(200),
  parentId: z.string().min(1).max(200).nullable(),
  role: z.enum(['user', 'assistant', 'system']),
  content: z.string(),
  state: z.enum(['complete', 'streaming', 'stopped', 'interrupted', 'error']),
  error: z.string().nullable(),
  model: z.string().nullable(),
  backend: z.enum(['local', 'aipg', 'horde', 'server']).optional(),
  /** The grid URL's origin a grid reply came from. */
  gridOrigin: z.string().max(2048).optional(),
  reasoning: z.string().optional(),
  reasoningMs: z.number().int().nonnegative().optional(),
  /** Among siblings, the one selected most recently is on the active path. */
  selectedAt: z.number().int().nonnegative(),
  createdAt: z.number(),
  updatedAt: z.number(),
})

const exportedConversationSchema = z.strictObject({
  id: z.string().min(1).max(200),
  title: z.string().max(1000),
  createdAt: z.number(),
  updatedAt: z.number(),
  settings: conversationSettingsSchema,
  /** Every message of every branch, parents before children. */
  messages: z.array(exportedMessageSchema),
})

/** GridForge's lossless chat export: every branch, version and setting. */
export const chatExportSchema = z.strictObject({
  format: z.literal('gridforge-chat'),
  version: z.union([z.literal(1), z.literal(EXPORT_VERSION)]),
  exportedAt: z.number(),
  conversations: z.array(exportedConversationSchema),
})

/**
 * An export with each conversation's messages not checked yet: a long conversation's messages are checked
 * a chunk at a time (`exportedMessageSchema`) so a big file does not hold the event loop.
 */
export const chatExportEnvelopeSchema = chatExportSchema.extend({
  conversations: z.array(exportedConversationSchema.extend({ messages: z.array(z.unknown()) })),
})

/** A GridForge chat export file. */
export type ChatExport = z.infer<typeof chatExportSchema>
/** One conversation in an export file (also what every importer produces). */
export type ExportedConversation = z.infer<typeof exportedConversationSchema>
/** One message in an export file. */
export type ExportedMessage = z.infer<typeof exportedMessageSchema>
