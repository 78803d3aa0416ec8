import { gridNamesOf } from '../../grid/advertisedNames.js'
import { multiplierOf, registryKey, type DenRegistry } from '../../grid/denRegistry.js'
import type { BridgeGridNames } from '../../shared/bridge.js'
import type { CatalogEntry } from '../../shared/models.js'

/**
 * The ways servers name a model, read as names a registry or a catalog may know: vLLM lists the Hugging Face
 * repo (`openai/gpt-oss-20b`), Ollama a name and tag (`gpt-oss:20b`, `qwen3:27b-q4_K_M`), llama-server and
 * LM Studio a file name or path (`/models/gpt-oss-20b-Q4_K_M.gguf`), KoboldCpp `koboldcpp/<name>`.
 */
export function serverModelCandidates(id: string): string[] {
  const leaf = id.trim().split(/[\\/]/).filter(Boolean).at(-1) ?? id.trim()
  const [name = leaf, tag] = leaf.split(':')
  const tagged = tag && tag !== 'latest' ? `${name}-${tag}` : name
  return [...new Set([id.trim(), leaf, tagged, tagged.replace(/-gguf$/i, '')])]
}

/**
 * The grid names of the model a server lists as `id`. A registry model is advertised on AIPG under its exact
 * registry name; a catalog model under its catalog names; any other under `grid/<id>` (AIPG) and
 * `koboldcpp/<id>` (the Horde). `chosen`, the registry name the user picked, wins when it is a registry name.
 */
export function serverModelNames(
  id: string,
  catalog: readonly CatalogEntry[],
  registry: DenRegistry,
  chosen: string | null = null,
): BridgeGridNames {
  const bare = id.replace(/^koboldcpp\//, '')
  const candidates = serverModelCandidates(bare)
  const fileName = candidates.find((name) => /\.gguf$/i.test(name)) ?? `${candidates.at(-1)}.gguf`
  const known = gridNamesOf(catalog, registry, { fileName, ggufNames: candidates })
  const horde = known?.horde ?? `koboldcpp/${bare}`
  const picked = chosen ? registryKey(chosen) : null
  if (picked && registry.has(picked))
    return { aipg: picked, horde, registered: true, multiplier: multiplierOf(registry, picked), suggestions: [] }
  const aipg = known?.aipg ?? `grid/${bare}`
  const registered = registry.has(aipg)
  return {
    aipg,
    horde,
    registered,
    multiplier: multiplierOf(registry, aipg),
    suggestions: registered ? [] : registryLookalikes(registry, candidates),
  }
}

/** Registry names that begin with what the server calls its model (the size or version left out), best first. */
function registryLookalikes(registry: DenRegistry, candidates: readonly string[]): string[] {
  const keys = candidates.map(registryKey).filter((key) => key.length >= 3)
  return [...registry.keys()].filter((name) => keys.some((key) => name.startsWith(`${key}-`) || name.startsWith(`${key}.`))).sort()
}
