import { z } from 'zod'

/** Sampling a conversation asks for, in the engine's terms. */
export const chatSamplingSchema = z.strictObject({
  temperature: z.number().min(0).max(2),
  topP: z.number().min(0).max(1),
  topK: z.number().int().min(0).max(1000),
  minP: z.number().min(0).max(1),
  repeatPenalty: z.number().min(1).max(2),
  maxTokens: z.number().int().min(1).max(32_768),
})

/** A named set of sampling values; `custom` once the user changes any of them. */
export const chatPresetSchema = z.enum(['precise', 'balanced', 'creative', 'custom'])

/** What one conversation remembers about how to answer. */
export const conversationSettingsSchema = z.strictObject({
  systemPrompt: z.string().max(20_000),
  preset: chatPresetSchema,
  sampling: chatSamplingSchema,
  /** Most tokens of history the model sees (null: the whole loaded context). */
  contextSize: z.number().int().min(256).max(1_048_576).nullable(),
  /** The model file this conversation was last answered with, so the UI can offer it again. */
  modelPath: z.string().max(4096).nullable(),
})

/** Sampling values of a conversation. */
export type ChatSampling = z.infer<typeof chatSamplingSchema>
/** A sampling preset's name. */
export type ChatPreset = z.infer<typeof chatPresetSchema>
/** A conversation's system prompt, sampling, context size and model. */
export type ConversationSettings = z.infer<typeof conversationSettingsSchema>

/** The presets the settings panel offers. Precise keeps answers close to the most likely words. */
export const CHAT_PRESETS: Record<Exclude<ChatPreset, 'custom'>, ChatSampling> = {
  precise: { temperature: 0.2, topP: 0.9, topK: 20, minP: 0.1, repeatPenalty: 1.1, maxTokens: 1024 },
  balanced: { temperature: 0.7, topP: 0.95, topK: 40, minP: 0.05, repeatPenalty: 1.1, maxTokens: 1024 },
  creative: { temperature: 1.1, topP: 0.98, topK: 100, minP: 0.02, repeatPenalty: 1.05, maxTokens: 2048 },
}

/** Settings of a new conversation. */
export const DEFAULT_CONVERSATION_SETTINGS: ConversationSettings = {
  systemPrompt: '',
  preset: 'balanced',
  sampling: CHAT_PRESETS.balanced,
  contextSize: null,
  modelPath: null,
}
