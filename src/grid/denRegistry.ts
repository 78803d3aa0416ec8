import { z } from 'zod'
import bundledJson from '../../resources/den-registry.json'

/**
 * AIPG's model registry as den sees it (grid-protocol.md §16.5): exact lowercased model name → den
 * multiplier. A name not in it earns the base rate, 1.
 */
export type DenRegistry = ReadonlyMap<string, number>

/** The multiplier of a name the registry does not list. */
export const BASE_MULTIPLIER = 1

/** Core's seed list (§16.5); what counts until the grid publishes its registry. */
export const SEED_REGISTRY: DenRegistry = new Map([
  ['gpt-oss-20b', 20],
  ['gpt-oss-120b', 120],
  ['qwen3-27b', 27],
  ['qwen3.6-27b', 27],
])

const registryName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'a lowercase model name')

/** The shape of `resources/den-registry.json`, and of a registry the grid publishes. */
export const denRegistrySchema = z.object({
  version: z.literal(1),
  models: z
    .record(registryName, z.number().positive().max(10_000))
    .refine((models) => Object.keys(models).length > 0, 'at least one model'),
})

/** A registry read from text: the map, or the seed with one sentence saying why the text was not used. */
export interface ReadRegistry {
  registry: DenRegistry
  problem: string | null
}

/** Reads a registry file's text; a file that fails to parse gives the built-in seed and says why. */
export function readDenRegistry(text: string, source: string): ReadRegistry {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return {
      registry: SEED_REGISTRY,
      problem: `The model registry ${source} is not valid JSON; using the built-in list of ${SEED_REGISTRY.size} models.`,
    }
  }
  return denRegistryFromJson(json, source)
}

/** Checks a parsed registry (a file's, the grid's); one that does not fit gives the seed and says why. */
export function denRegistryFromJson(json: unknown, source: string): ReadRegistry {
  const parsed = denRegistrySchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
    return {
      registry: SEED_REGISTRY,
      problem: `The model registry ${source} does not have the expected shape (${issue?.message ?? 'unknown'}${where}); using the built-in list of ${SEED_REGISTRY.size} models.`,
    }
  }
  return { registry: new Map(Object.entries(parsed.data.models)), problem: null }
}

/** The registry shipped in `resources/den-registry.json`. */
export function bundledDenRegistry(): ReadRegistry {
  return denRegistryFromJson(bundledJson, 'resources/den-registry.json')
}

/** The multiplier core applies to an advertised name: exact after lowercasing and trimming, so `grid/x` is never `x`. */
export function multiplierOf(registry: DenRegistry, advertisedName: string): number {
  return registry.get(advertisedName.toLowerCase().trim()) ?? BASE_MULTIPLIER
}

/** Quantization and format words that GGUF file names and `general.name` append to a model's own name. */
const QUANT_SUFFIX = /[-_. ](?:(?:u?d-)?i?q\d(?:_[a-z0-9]+)*|f16|bf16|f32|mxfp4|gguf|instruct-gguf)$/i

/**
 * How a file name or a GGUF `general.name` compares with registry names: lowercase, words joined by `-`,
 * without the `.gguf` extension and trailing quantization labels ("Gpt Oss 20b" and
 * `gpt-oss-20b-Q4_K_M.gguf` both read `gpt-oss-20b`).
 */
export function registryKey(name: string): string {
  let key = name.trim().replace(/\.gguf$/i, '')
  for (let previous = ''; previous !== key;) {
    previous = key
    key = key.replace(QUANT_SUFFIX, '')
  }
  return key.toLowerCase().replace(/[\s_]+/g, '-')
}

/**
 * The registry name a model file is, from what is known of it (GGUF `general.name`, `general.basename` with
 * its size label, the file name): the first that reads as a registry name after `registryKey`. Null when none
 * does: the file is then not a registry model and keeps a descriptive name.
 */
export function registryNameOf(registry: DenRegistry, candidates: readonly (string | null | undefined)[]): string | null {
  for (const candidate of candidates) {
    if (!candidate) continue
    const key = registryKey(candidate)
    if (registry.has(key)) return key
  }
  return null
}

/** The names a GGUF header gives its model, for `registryNameOf`: `general.name`, then `basename-size_label` ("gpt-oss-20b"). */
export function ggufIdentityNames(general: { name?: string; basename?: string; size_label?: string }): string[] {
  const names = [general.name, general.basename && general.size_label ? `${general.basename}-${general.size_label}` : undefined]
  return names.filter((name): name is string => typeof name === 'string' && name.trim() !== '')
}
