import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../paths.js'
import { architectureMetadata, families, tensors, tokenizerFiles, type Family, type FamilyId } from './families.js'
import { writeGguf, type GgufTensor, type GgufValue } from './ggufWriter.js'
import { seededRandom } from './seededWeights.js'
import { buildVocabulary, type Vocabulary } from './tokenizerVocab.js'

export const testModelCache = join(repoRoot, '.cache', 'test-models')

const generatorSources = ['ggufWriter.ts', 'tokenizerVocab.ts', 'families.ts', 'seededWeights.ts', 'testModels.ts'].map((file) =>
  join(repoRoot, 'tests', 'support', 'gguf', file),
)

/** Everything a file is made from: the generator's code (and `extra` sources), the tokenizer files, the family's spec and `spec`. */
function cacheKey(family: Family, extraSources: readonly string[], spec: unknown): string {
  const files = tokenizerFiles(family)
  const hash = createHash('sha256')
  for (const path of [...generatorSources, ...extraSources, files.tokenizerJson, files.tokenizerConfig]) hash.update(readFileSync(path))
  hash.update(JSON.stringify(family))
  hash.update(JSON.stringify(spec ?? null))
  return hash.digest('hex').slice(0, 16)
}

export interface ModelRecipe {
  /** The file name's stem, before the cache key. */
  name: string
  family: FamilyId
  /** Sources beyond the generator's own that decide the weights (part of the cache key). */
  sources?: readonly string[]
  /** What else decides the weights (part of the cache key). */
  spec?: unknown
  /** The tensors; by default the family's seeded random weights. */
  tensors?: (family: Family, vocabulary: Vocabulary) => GgufTensor[]
}

/**
 * A model of the family with its real tokenizer and chat template, generated into `.cache/test-models/`
 * the first time and reused while nothing it is made from changes.
 */
export function cachedModel(recipe: ModelRecipe): string {
  const family = families[recipe.family]
  const path = join(testModelCache, `${recipe.name}-${cacheKey(family, recipe.sources ?? [], recipe.spec)}.gguf`)
  if (existsSync(path)) return path
  mkdirSync(testModelCache, { recursive: true })
  const vocabulary = buildVocabulary(tokenizerFiles(family), family.vocab, family.special)
  const general: Array<readonly [string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: family.architecture }],
    ['general.name', { type: 'string', value: family.name }],
    ['general.file_type', { type: 'uint32', value: 1 }],
  ]
  const weights = recipe.tensors ?? ((f: Family, v: Vocabulary) => tensors(f, seededRandom(f.seed), v.tokens.length))
  // Written beside the final name and renamed: a run killed half-way leaves no file that looks cached.
  const partial = `${path}.${process.pid}.partial`
  try {
    writeGguf(partial, {
      metadata: [...general, ...architectureMetadata(family), ...vocabulary.metadata],
      tensors: weights(family, vocabulary),
    })
    renameSync(partial, path)
  } finally {
    rmSync(partial, { force: true })
  }
  return path
}

/** The tiny test model of the family: real tokenizer and chat template, random weights. */
export function testModel(id: FamilyId): string {
  return cachedModel({ name: id, family: id })
}
