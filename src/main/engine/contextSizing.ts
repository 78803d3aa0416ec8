import type { GgufFileInfo } from 'node-llama-cpp'

/** What each sequence holds when no user asks for a size: a long conversation on a small PC (chat, the local API). */
export const CHAT_CONTEXT = 4096
/** llama.cpp allocates a sequence's cells in multiples of this (node-llama-cpp's `contextSizePad`). */
export const CONTEXT_PADDING = 256
/** Bytes of one cached key or value element at llama.cpp's default KV type (f16). */
const F16_BYTES = 2

const padUp = (tokens: number) => Math.ceil(tokens / CONTEXT_PADDING) * CONTEXT_PADDING
const padDown = (tokens: number) => Math.floor(tokens / CONTEXT_PADDING) * CONTEXT_PADDING

/**
 * KV cache bytes one token costs in one sequence, from the model's shape: each layer keeps a key and a
 * value vector for every KV head (grouped-query models have far fewer KV heads than attention heads).
 * Sliding-window layers hold fewer cells than this counts, so for them it is an upper bound.
 */
export function kvBytesPerToken(fileInfo: GgufFileInfo, bytesPerElement = F16_BYTES): number {
  const meta = fileInfo.architectureMetadata as {
    block_count?: number
    embedding_length?: number
    attention?: { head_count?: number; head_count_kv?: number | number[]; key_length?: number; value_length?: number }
  }
  const layers = meta.block_count ?? 0
  const heads = meta.attention?.head_count ?? 0
  const headDim = heads > 0 ? (meta.embedding_length ?? 0) / heads : 0
  const keyLength = meta.attention?.key_length ?? headDim
  const valueLength = meta.attention?.value_length ?? headDim
  const kvHeads = meta.attention?.head_count_kv ?? heads
  let elements = 0
  for (let layer = 0; layer < layers; layer++) {
    const layerHeads = Array.isArray(kvHeads) ? (kvHeads[layer] ?? heads) : kvHeads
    elements += layerHeads * (keyLength + valueLength)
  }
  return elements * bytesPerElement
}

/** What a load's context has to serve. */
export interface ContextNeed {
  /** Tokens each sequence must hold (a grid job's whole `max_context_length`); null: `CHAT_CONTEXT`. */
  needed: number | null
  /** The context the model was trained on. */
  trained: number
  sequences: number
  /** See `kvBytesPerToken`. */
  bytesPerToken: number
  /** Memory the KV caches of all sequences may take; null: not limited here (the GPU's own check applies). */
  kvBudgetBytes: number | null
}

/**
 * The context each sequence is created with, as node-llama-cpp's `{min, max}`: what its users need,
 * padded up as llama.cpp pads it, never more than the model was trained on, nor more than the memory
 * beside the model holds for every sequence's KV cache. `min` lets node-llama-cpp shrink it further
 * when its own memory check says so, down to a size that still holds a short job.
 */
export function contextPlan(need: ContextNeed): { min: number; max: number } {
  const floor = Math.min(CONTEXT_PADDING, need.trained)
  const wanted = Math.min(padUp(Math.max(1, need.needed ?? CHAT_CONTEXT)), need.trained)
  const byMemory =
    need.kvBudgetBytes === null || need.bytesPerToken <= 0 ? Infinity : padDown(need.kvBudgetBytes / (need.sequences * need.bytesPerToken))
  const max = Math.max(floor, Math.min(wanted, byMemory))
  return { min: floor, max }
}
