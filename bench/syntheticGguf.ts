import { randomFillSync } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { seededRandom } from '../tests/support/gguf/seededWeights.js'

// TinyLlama-1.1B-Chat-v1.0 hyperparameters: the synthetic file has the same compute and memory
// cost as the real model, so throughput measured on it transfers without a 1.2 GB download.
const EMBD = 2048
const LAYERS = 22
const HEADS = 32
const HEADS_KV = 4
const HEAD_DIM = EMBD / HEADS
const FFN = 5632
const VOCAB = 32000
const CTX = 2048
const ALIGNMENT = 32

const FILE_NAME = 'tinyllama-1.1b-shaped-random-q8_0.v1.gguf'

const enum GgufType {
  Uint32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
}

const enum GgmlType {
  F32 = 0,
  Q8_0 = 8,
}

const Q8_0_BLOCK_ELEMS = 32
const Q8_0_BLOCK_BYTES = 2 + Q8_0_BLOCK_ELEMS
// 2^-12 as fp16 (exponent 3, mantissa 0): with int8 in [-128, 127] the weights have a std of
// ~0.018, similar to trained models, so activations stay far from fp16/f32 overflow.
const Q8_0_SCALE_FP16 = 0x0c00
const F32_ONE = 1
// 2^-8 (exponent 7): logits 16 times those of the default scale, so the top token of a step is usually likely.
const SURE_OUTPUT_SCALE_FP16 = 0x1c00

type Value =
  | { type: GgufType.Uint32 | GgufType.Int32 | GgufType.Float32; value: number }
  | { type: GgufType.Bool; value: boolean }
  | { type: GgufType.String; value: string }
  | { type: GgufType.Array; items: GgufType.Int32 | GgufType.Float32; values: number[] }
  | { type: GgufType.Array; items: GgufType.String; values: string[] }

type Tensor = { name: string; dims: number[]; type: GgmlType; bytes: number; offset: number }

class HeaderWriter {
  private readonly chunks: Buffer[] = []
  length = 0

  private push(buf: Buffer): void {
    this.chunks.push(buf)
    this.length += buf.length
  }

  u32(v: number): void {
    const b = Buffer.alloc(4)
    b.writeUInt32LE(v)
    this.push(b)
  }

  u64(v: number): void {
    const b = Buffer.alloc(8)
    b.writeBigUInt64LE(BigInt(v))
    this.push(b)
  }

  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8')
    this.u64(bytes.length)
    this.push(bytes)
  }

  typedArray(items: GgufType.Int32 | GgufType.Float32, values: number[]): void {
    const b = Buffer.alloc(values.length * 4)
    values.forEach((v, i) => (items === GgufType.Int32 ? b.writeInt32LE(v, i * 4) : b.writeFloatLE(v, i * 4)))
    this.push(b)
  }

  kv(key: string, v: Value): void {
    this.string(key)
    this.u32(v.type)
    switch (v.type) {
      case GgufType.Uint32:
        return this.u32(v.value)
      case GgufType.Int32: {
        const b = Buffer.alloc(4)
        b.writeInt32LE(v.value)
        return this.push(b)
      }
      case GgufType.Float32: {
        const b = Buffer.alloc(4)
        b.writeFloatLE(v.value)
        return this.push(b)
      }
      case GgufType.Bool:
        return this.push(Buffer.from([v.value ? 1 : 0]))
      case GgufType.String:
        return this.string(v.value)
      case GgufType.Array:
        this.u32(v.items)
        this.u64(v.values.length)
        if (v.items === GgufType.String) {
          for (const s of v.values) this.string(s)
        } else {
          this.typedArray(v.items, v.values)
        }
        return
    }
  }

  pad(): void {
    const rem = this.length % ALIGNMENT
    if (rem !== 0) this.push(Buffer.alloc(ALIGNMENT - rem))
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks)
  }
}

const alignUp = (n: number): number => Math.ceil(n / ALIGNMENT) * ALIGNMENT

function vocab(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>']
  const types = [2, 3, 3]
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)
    types.push(6)
  }
  // Printable single characters keep ordinary prompts from tokenizing to byte-fallback tokens.
  for (let c = 0x21; c < 0x7f; c++) tokens.push(String.fromCharCode(c))
  tokens.push('▁')
  for (let i = 0; tokens.length < VOCAB; i++) tokens.push(`▁w${i}`)
  while (types.length < VOCAB) types.push(1)
  const scores = tokens.map((_, i) => (types[i] === 1 ? -i : 0))
  return { tokens, scores, types }
}

/** How many blocks a file has, and how many of them do anything (the rest add zero to the residual stream). */
interface Shape {
  fileName: string
  name: string
  layers: number
  activeLayers: number
  /** Seeds the weights: files with the same seed hold the same weights wherever their shapes agree. */
  seed?: number
  /**
   * The output projection's Q8_0 scale as fp16 bits. The default gives logits so flat that no token is
   * likely, where a trained model is sure of most tokens; a draft model drafts only the tokens it is sure of.
   */
  outputScale?: number
}

const TINYLLAMA: Shape = { fileName: FILE_NAME, name: 'TinyLlama-1.1B-shaped random weights', layers: LAYERS, activeLayers: LAYERS }

function tensorLayout(layers: number): Tensor[] {
  const specs: Array<[string, number[], GgmlType]> = [['token_embd.weight', [EMBD, VOCAB], GgmlType.Q8_0]]
  for (let i = 0; i < layers; i++) {
    const kv = HEADS_KV * HEAD_DIM
    specs.push(
      [`blk.${i}.attn_norm.weight`, [EMBD], GgmlType.F32],
      [`blk.${i}.attn_q.weight`, [EMBD, EMBD], GgmlType.Q8_0],
      [`blk.${i}.attn_k.weight`, [EMBD, kv], GgmlType.Q8_0],
      [`blk.${i}.attn_v.weight`, [EMBD, kv], GgmlType.Q8_0],
      [`blk.${i}.attn_output.weight`, [EMBD, EMBD], GgmlType.Q8_0],
      [`blk.${i}.ffn_norm.weight`, [EMBD], GgmlType.F32],
      [`blk.${i}.ffn_gate.weight`, [EMBD, FFN], GgmlType.Q8_0],
      [`blk.${i}.ffn_up.weight`, [EMBD, FFN], GgmlType.Q8_0],
      [`blk.${i}.ffn_down.weight`, [FFN, EMBD], GgmlType.Q8_0],
    )
  }
  specs.push(['output_norm.weight', [EMBD], GgmlType.F32], ['output.weight', [EMBD, VOCAB], GgmlType.Q8_0])

  let offset = 0
  return specs.map(([name, dims, type]) => {
    const elems = dims.reduce((a, b) => a * b, 1)
    const bytes = type === GgmlType.F32 ? elems * 4 : (elems / Q8_0_BLOCK_ELEMS) * Q8_0_BLOCK_BYTES
    const tensor = { name, dims, type, bytes, offset }
    offset = alignUp(offset + bytes)
    return tensor
  })
}

function header(tensors: Tensor[], shape: Shape): Buffer {
  const { tokens, scores, types } = vocab()
  const u32 = (value: number): Value => ({ type: GgufType.Uint32, value })
  const f32 = (value: number): Value => ({ type: GgufType.Float32, value })
  const metadata: Array<[string, Value]> = [
    ['general.architecture', { type: GgufType.String, value: 'llama' }],
    ['general.name', { type: GgufType.String, value: shape.name }],
    ['general.file_type', u32(7)],
    ['general.quantization_version', u32(2)],
    ['general.alignment', u32(ALIGNMENT)],
    ['llama.vocab_size', u32(VOCAB)],
    ['llama.context_length', u32(CTX)],
    ['llama.embedding_length', u32(EMBD)],
    ['llama.block_count', u32(shape.layers)],
    ['llama.feed_forward_length', u32(FFN)],
    ['llama.rope.dimension_count', u32(HEAD_DIM)],
    ['llama.rope.freq_base', f32(10000)],
    ['llama.attention.head_count', u32(HEADS)],
    ['llama.attention.head_count_kv', u32(HEADS_KV)],
    ['llama.attention.layer_norm_rms_epsilon', f32(1e-5)],
    ['tokenizer.ggml.model', { type: GgufType.String, value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: GgufType.Array, items: GgufType.String, values: tokens }],
    ['tokenizer.ggml.scores', { type: GgufType.Array, items: GgufType.Float32, values: scores }],
    ['tokenizer.ggml.token_type', { type: GgufType.Array, items: GgufType.Int32, values: types }],
    ['tokenizer.ggml.bos_token_id', u32(1)],
    ['tokenizer.ggml.eos_token_id', u32(2)],
    ['tokenizer.ggml.unknown_token_id', u32(0)],
    ['tokenizer.ggml.add_bos_token', { type: GgufType.Bool, value: true }],
    ['tokenizer.ggml.add_eos_token', { type: GgufType.Bool, value: false }],
  ]

  const w = new HeaderWriter()
  w.u32(0x46554747) // "GGUF" read as a little-endian u32
  w.u32(3)
  w.u64(tensors.length)
  w.u64(metadata.length)
  for (const [key, value] of metadata) w.kv(key, value)
  for (const t of tensors) {
    w.string(t.name)
    w.u32(t.dims.length)
    for (const d of t.dims) w.u64(d)
    w.u32(t.type)
    w.u64(t.offset)
  }
  w.pad()
  return w.toBuffer()
}

// One pool of random Q8_0 blocks is reused for every tensor: generating 1.1 GB of fresh
// randomness would dominate the write time and adds nothing for a throughput benchmark.
function q8Pool(blocks: number, seed: number | undefined, scale = Q8_0_SCALE_FP16): Buffer {
  const pool = Buffer.alloc(blocks * Q8_0_BLOCK_BYTES)
  if (seed === undefined) randomFillSync(pool)
  else {
    const random = seededRandom(seed)
    for (let i = 0; i < pool.length; i++) pool[i] = Math.floor(random() * 256)
  }
  for (let b = 0; b < blocks; b++) pool.writeUInt16LE(scale, b * Q8_0_BLOCK_BYTES)
  return pool
}

function passive(tensor: string, shape: Shape): boolean {
  const match = /^blk\.(\d+)\.(attn_output|ffn_down)\.weight$/.exec(tensor)
  return match !== null && Number(match[1]) >= shape.activeLayers
}

function expectedSize(headerBytes: number, tensors: Tensor[]): number {
  const last = tensors[tensors.length - 1]
  return headerBytes + (last ? last.offset + last.bytes : 0)
}

export function ensureTinyLlamaShapedGguf(cacheDir: string): Promise<string> {
  return ensureShapedGguf(cacheDir, TINYLLAMA)
}

/**
 * A target and a draft for speculative decoding that agree on every token, as a well-matched draft model
 * nearly does: the target is TinyLlama-shaped (22 blocks, the same cost per token), but only its first
 * two blocks do anything (the others' output projections are zero, so they add nothing to the residual
 * stream); the draft is those two blocks alone, with the same embeddings and output (every tensor is
 * written from the same seeded pool, so equal shapes hold equal weights), about a sixth of the target's bytes.
 */
export async function ensureSpeculativePair(cacheDir: string): Promise<{ target: string; draft: string }> {
  const active = 2
  const target = await ensureShapedGguf(cacheDir, {
    fileName: 'tinyllama-1.1b-shaped-2-active-q8_0.v3.gguf',
    name: 'TinyLlama-1.1B-shaped, 2 active blocks',
    layers: LAYERS,
    activeLayers: active,
    seed: 20,
    outputScale: SURE_OUTPUT_SCALE_FP16,
  })
  const draft = await ensureShapedGguf(cacheDir, {
    fileName: 'tinyllama-2-block-draft-q8_0.v3.gguf',
    name: 'TinyLlama-shaped 2-block draft',
    layers: active,
    activeLayers: active,
    seed: 20,
    outputScale: SURE_OUTPUT_SCALE_FP16,
  })
  return { target, draft }
}

async function ensureShapedGguf(cacheDir: string, shape: Shape): Promise<string> {
  const file = path.join(cacheDir, shape.fileName)
  const tensors = tensorLayout(shape.layers)
  const head = header(tensors, shape)
  const size = expectedSize(head.length, tensors)
  if (existsSync(file) && statSync(file).size === size) return file

  await mkdir(cacheDir, { recursive: true })
  const tmp = `${file}.tmp-${process.pid}`
  const fh = await open(tmp, 'w')
  try {
    await fh.write(head)
    const pool = q8Pool(32 * 1024, shape.seed)
    // A pooled output projection repeats its rows every 512 tokens: each logit ties with ~60 others, so no
    // token can be likely. A sure output needs rows of its own (70 MB of seeded blocks, about a second).
    const outputBlocks = (EMBD * VOCAB) / Q8_0_BLOCK_ELEMS
    const outputPool = shape.outputScale === undefined ? pool : q8Pool(outputBlocks, (shape.seed ?? 0) + 1, shape.outputScale)
    const ones = Buffer.alloc(EMBD * 4)
    for (let i = 0; i < EMBD; i++) ones.writeFloatLE(F32_ONE, i * 4)
    let written = 0
    for (const t of tensors) {
      const gap = t.offset - written
      if (gap > 0) await fh.write(Buffer.alloc(gap))
      if (t.type === GgmlType.F32) {
        await fh.write(ones.subarray(0, t.bytes))
      } else if (passive(t.name, shape)) {
        // All-zero Q8_0 blocks (scale 0): the block's attention and FFN outputs are exactly zero.
        for (let left = t.bytes; left > 0; left -= pool.length) await fh.write(Buffer.alloc(Math.min(left, pool.length)))
      } else if (t.name === 'output.weight') {
        for (let left = t.bytes; left > 0; left -= outputPool.length)
          await fh.write(outputPool.subarray(0, Math.min(left, outputPool.length)))
      } else {
        // The pool holds whole blocks and every tensor is a whole number of blocks, so
        // slicing at a multiple of the pool size never splits a block.
        for (let left = t.bytes; left > 0; left -= pool.length) {
          await fh.write(pool.subarray(0, Math.min(left, pool.length)))
        }
      }
      written = t.offset + t.bytes
    }
  } finally {
    await fh.close()
  }
  if (statSync(tmp).size !== size) {
    await rm(tmp, { force: true })
    throw new Error(`synthetic GGUF has the wrong size (expected ${size} bytes)`)
  }
  await rename(tmp, file)
  return file
}
