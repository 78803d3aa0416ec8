import type { ChatHistoryItem } from 'node-llama-cpp'

/**
 * When a conversation outgrows the context, this share of the room is kept after the cut. Cutting
 * deeper than strictly needed lets the next turns fit behind the same cut, so they reuse the cache
 * instead of evaluating the whole window again after every message.
 */
const KEEP_AFTER_CUT = 0.75

/** What a conversation left on its sequence: where its plain-text prompt was cut. */
export interface TextMemory {
  kind: 'text'
  cut: number
}

/** What a conversation left on its sequence: the history LlamaChat saw and the window it kept of it. */
export interface ChatMemory {
  kind: 'chat'
  cleanHistory: ChatHistoryItem[]
  contextWindow: ChatHistoryItem[]
  contextShiftMetadata: object | null | undefined
}

/**
 * Where to cut a prompt of `total` tokens that may keep `room` of them: nowhere when it fits, at the
 * previous cut when the rest still fits behind it, else deep enough to leave space for a few turns.
 */
export function stableCut(total: number, room: number, previousCut: number | null): number {
  if (total <= room) return 0
  if (previousCut !== null && previousCut > 0 && previousCut < total && total - previousCut <= room) return previousCut
  return total - Math.max(1, Math.floor(room * KEEP_AFTER_CUT))
}

/**
 * The context window to continue from: the last window followed by what was added since, when the
 * new history continues the last one; otherwise none (an edit, a regenerate, another conversation).
 */
export function continuedWindow(memory: ChatMemory | null, history: ChatHistoryItem[]): ChatHistoryItem[] | undefined {
  if (!memory || history.length < memory.cleanHistory.length) return undefined
  for (let i = 0; i < memory.cleanHistory.length; i++) {
    if (JSON.stringify(memory.cleanHistory[i]) !== JSON.stringify(history[i])) return undefined
  }
  return [...memory.contextWindow, ...history.slice(memory.cleanHistory.length)]
}

/** Whether LlamaChat left part of the history out of the context window. */
export function windowDropped(memory: Pick<ChatMemory, 'cleanHistory' | 'contextWindow'>): boolean {
  return JSON.stringify(memory.cleanHistory) !== JSON.stringify(memory.contextWindow)
}
