import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../paths.js'
import { architectureMetadata, families, tensors, tokenizerFiles, type FamilyId } from './families.js'
import { writeGguf, type GgufValue } from './ggufWriter.js'
import { seededRandom } from './seededWeights.js'
import { buildVocabulary } from './tokenizerVocab.js'

export const testModelCache = join(repoRoot, '.cache', 'test-models')

const generatorSources = ['ggufWriter.ts', 'tokenizerVocab.ts', 'families.ts', 'seededWeights.ts', 'testModels.ts'].map((file) =>
  join(repoRoot, 'tests', 'support', 'gguf', file),
)

/** Everything the file is made from: the generator's code, the tokenizer files and the family's spec. */
function cacheKey(id: FamilyId): string {
  const family = families[id]
  const files = tokenizerFiles(family)
  const hash = createHash('sha256')
  for (const path of [...generatorSources, files.tokenizerJson, files.tokenizerConfig]) hash.update(readFileSync(path))
  hash.update(JSON.stringify(family))
  return hash.digest('hex').slice(0, 16)
}

/**
 * The path of a tiny test model of the family with its real tokenizer and chat template, generated
 * into `.cache/test-models/` the first time and reused while nothing it is made from changes.
 */
export function testModel(id: FamilyId): string {
  const path = join(testModelCache, `${id}-${cacheKey(id)}.gguf`)
  if (existsSync(path)) return path
  mkdirSync(testModelCache, { recursive: true })
  const family = families[id]
  const vocabulary = buildVocabulary(tokenizerFiles(family), family.vocab, family.special)
  const general: Array<readonly [string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: family.architecture }],
    ['general.name', { type: 'string', value: family.name }],
    ['general.file_type', { type: 'uint32', value: 1 }],
  ]
  // Written beside the final name and renamed: a run killed half-way leaves no file that looks cached.
  const partial = `${path}.${process.pid}.partial`
  try {
    writeGguf(partial, {
      metadata: [...general, ...architectureMetadata(family), ...vocabulary.metadata],
      tensors: tensors(family, seededRandom(family.seed), vocabulary.tokens.length),
    })
    renameSync(partial, path)
  } finally {
    rmSync(partial, { force: true })
  }
  return path
}
