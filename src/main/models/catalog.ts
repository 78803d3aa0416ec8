import { z } from 'zod'
import catalogJson from '../../../resources/catalog.json'
import { bundledDenRegistry } from '../../grid/denRegistry.js'
import type { CatalogEntry } from '../../shared/models.js'
import { safeFileName } from './modelSource.js'

/** AIPG's registry, by which a prefix-less AIPG name is checked: den is looked up by the exact name (§16.5). */
const registry = bundledDenRegistry().registry

const hfFileUri = /^hf:[\w.-]+\/[\w.-]+\/[^#\s]+\.gguf(#[\w.-]+)?$/

/** The schema of `resources/catalog.json`; the file is checked at build (test) and at start. */
export const catalogSchema = z.strictObject({
  version: z.literal(1),
  models: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9.-]{2,63}$/),
        name: z.string().min(3).max(80),
        publisher: z.string().min(2).max(40),
        description: z.string().min(10).max(200),
        uri: z.union([z.string().regex(hfFileUri), z.url({ protocol: /^https$/ })]),
        fileName: z.string().refine((name) => safeFileName(name) === name, 'a plain .gguf file name'),
        sizeBytes: z.number().int().min(50_000_000).max(60_000_000_000),
        sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .nullable(),
        license: z.string().min(2).max(40),
        parameters: z.number().int().min(100_000_000).max(100_000_000_000),
        contextLength: z.number().int().min(2048).max(1_048_576),
        quantization: z.string().regex(/^(Q\d_K_[SML]|Q\d_K|Q\d_\d|IQ\d_\w+|F16|BF16|Q8_0)$/),
        templateFamily: z.enum(['chatml', 'llama3', 'mistral', 'gemma', 'phi3', 'harmony']),
        // Larger models of the same family (and tokenizer) this one drafts chat replies for (speculative decoding).
        draftFor: z.array(z.string()).min(1).optional(),
        advertised: z.strictObject({
          // A registry model goes by its exact registry name (a `grid/` prefix would make it unregistered); others by `grid/<name>`.
          aipg: z.union([
            z.string().regex(/^grid\/[\w.-]+$/),
            z.string().refine((name) => registry.has(name), 'a prefix-less AIPG name must be a registry name, exactly'),
          ]),
          horde: z.string().regex(/^koboldcpp\/[\w.-]+$/),
        }),
      }),
    )
    .min(1),
})

/** The curated catalog, bundled with the app. */
export function loadCatalog(): CatalogEntry[] {
  return catalogSchema.parse(catalogJson).models
}

/** The https URL a catalog `hf:` URI points at (Hugging Face's `resolve` endpoint). */
export function hfFileUrl(uri: string): string | null {
  const match = /^hf:([\w.-]+)\/([\w.-]+)\/([^#]+)(?:#([\w.-]+))?$/.exec(uri)
  if (!match) return null
  const [, user, repo, file, branch] = match
  return `https://huggingface.co/${user}/${repo}/resolve/${branch ?? 'main'}/${file}`
}
