import { z } from 'zod'
import { BackendError } from './backendError.js'
import { backendJson, backendUrl, type BackendTarget } from './backendHttp.js'

const openAiModelsSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.string() })) })
const koboldModelSchema = z.looseObject({ result: z.string() })

/** The model list an OpenAI server answers `GET /models` with (entries kept whole: some carry their context). */
export async function openAiModels(target: BackendTarget): Promise<Array<{ id: string } & Record<string, unknown>>> {
  const parsed = openAiModelsSchema.safeParse(await backendJson(target, backendUrl(target.config, '/models')))
  if (!parsed.success)
    throw new BackendError(
      'garbage',
      'The inference server answered /models with something that is not an OpenAI model list; check --backend-url (it ends in /v1).',
    )
  return parsed.data.data
}

/**
 * Resolves when the server answers and serves the configured model; throws the `BackendError` saying
 * why not. The health gate calls it until it passes.
 */
export async function checkServing(target: BackendTarget): Promise<void> {
  const { config } = target
  if (config.kind === 'openai') {
    const ids = (await openAiModels(target)).map((model) => model.id)
    // Ollama lists `llama3:latest` and answers to `llama3` as well.
    if (!ids.includes(config.model) && !ids.includes(`${config.model}:latest`)) {
      throw new BackendError(
        'no-model',
        `The inference server does not serve "${config.model}"${ids.length ? `; it serves ${ids.slice(0, 8).join(', ')}` : ' (it lists no models)'}.`,
      )
    }
    return
  }
  const loaded = await koboldLoadedModel(target)
  if (!loaded || loaded === 'inactive') throw new BackendError('no-model', 'The KoboldAI server has no model loaded.')
  if (!sameKoboldModel(loaded, config.model))
    throw new BackendError('no-model', `The KoboldAI server serves "${loaded}", not "${config.model}".`)
}

/** The model a KoboldAI server says it has loaded (`inactive` or empty when none). */
export async function koboldLoadedModel(target: BackendTarget): Promise<string> {
  const parsed = koboldModelSchema.safeParse(await backendJson(target, backendUrl(target.config, '/api/v1/model')))
  if (!parsed.success)
    throw new BackendError(
      'garbage',
      'The server answered /api/v1/model with something that is not a KoboldAI answer; check --backend-url.',
    )
  return parsed.data.result
}

/** KoboldCpp names its model `koboldcpp/<stem>`; either spelling is the same model. */
const sameKoboldModel = (loaded: string, wanted: string) =>
  loaded === wanted || loaded.replace(/^koboldcpp\//, '') === wanted.replace(/^koboldcpp\//, '')
