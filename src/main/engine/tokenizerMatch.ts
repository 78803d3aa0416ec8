import type { GgufFileInfo } from 'node-llama-cpp'

type Tokenizer = GgufFileInfo['metadata']['tokenizer']['ggml']

/**
 * Why a draft model cannot draft for a target, in words that finish the sentence "their tokenizers
 * differ: …", or null when the two GGUF files describe the same tokenizer (model type, every token's
 * text, and the beginning and end tokens). A draft's tokens are verified by id, so one token that means
 * something else would make every draft after it a refused guess.
 */
export function tokenizerMismatch(target: GgufFileInfo, draft: GgufFileInfo): string | null {
  const a = target.metadata.tokenizer?.ggml as Tokenizer | undefined
  const b = draft.metadata.tokenizer?.ggml as Tokenizer | undefined
  if (!a || !b) return 'one of them has no tokenizer in its file'
  if (a.model !== b.model) return `${String(a.model)} and ${String(b.model)} tokenizers`
  const ours = a.tokens ?? []
  const theirs = b.tokens ?? []
  if (ours.length !== theirs.length) return `vocabularies of ${ours.length} and ${theirs.length} tokens`
  const differs = ours.findIndex((token, index) => token !== theirs[index])
  if (differs >= 0) return `token ${differs} is ${JSON.stringify(ours[differs])} in one and ${JSON.stringify(theirs[differs])} in the other`
  if (a.bos_token_id !== b.bos_token_id) return 'different beginning tokens'
  if (a.eos_token_id !== b.eos_token_id) return 'different end tokens'
  return null
}
