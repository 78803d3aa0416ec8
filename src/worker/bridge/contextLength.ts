import { z } from 'zod'
import { backendJson, backendUrl, serverRootUrl, type BackendTarget } from './backendHttp.js'

/** The context the server runs the model with, and which of its answers said so. */
export interface ReportedContext {
  tokens: number
  source: string
}

const positive = z.number().int().positive()
const llamaPropsSchema = z.looseObject({ default_generation_settings: z.looseObject({ n_ctx: positive }) })
const ollamaShowSchema = z.looseObject({ parameters: z.string().optional(), model_info: z.record(z.string(), z.unknown()).optional() })
const koboldValueSchema = z.looseObject({ value: positive })

/**
 * Asks the server what context it really runs the model with, where it says: vLLM's `max_model_len` in
 * `/v1/models`, llama.cpp server's `/props` (its `n_ctx`, not the model's training context), Ollama's
 * `/api/show` (the model's `num_ctx` parameter), KoboldCpp's `/api/extra/true_max_context_length`. Null
 * when none answers: the caller falls back to what the user says.
 */
export async function reportedContext(
  target: BackendTarget,
  models: Array<Record<string, unknown>> | null,
): Promise<ReportedContext | null> {
  const { config } = target
  const attempt = async (read: () => Promise<ReportedContext | null>) => read().catch(() => null)
  if (config.kind === 'kobold') {
    return (
      (await attempt(async () => ({
        tokens: koboldValueSchema.parse(await backendJson(target, backendUrl(config, '/api/extra/true_max_context_length'))).value,
        source: '/api/extra/true_max_context_length',
      }))) ??
      (await attempt(async () => ({
        tokens: koboldValueSchema.parse(await backendJson(target, backendUrl(config, '/api/v1/config/max_context_length'))).value,
        source: '/api/v1/config/max_context_length',
      })))
    )
  }
  const entry = models?.find((model) => model.id === config.model)
  const vllm = positive.safeParse(entry?.max_model_len)
  if (vllm.success) return { tokens: vllm.data, source: '/v1/models max_model_len' }
  return (
    (await attempt(async () => ({
      tokens: llamaPropsSchema.parse(await backendJson(target, serverRootUrl(config, '/props'))).default_generation_settings.n_ctx,
      source: '/props',
    }))) ??
    (await attempt(async () => {
      const show = ollamaShowSchema.parse(await backendJson(target, serverRootUrl(config, '/api/show'), { model: config.model }))
      const numCtx = /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(show.parameters ?? '')?.[1]
      return numCtx ? { tokens: Number(numCtx), source: '/api/show num_ctx' } : null
    }))
  )
}
