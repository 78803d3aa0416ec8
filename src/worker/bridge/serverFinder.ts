import type { FoundServer } from '../../shared/bridge.js'
import { systemClock } from '../ports.js'
import { BackendError } from './backendError.js'
import type { BackendTarget } from './backendHttp.js'
import { koboldLoadedModel, openAiModels } from './backendServing.js'
import { DEFAULT_TIMEOUTS, type BackendConfig } from './backendTypes.js'

/** Where the usual servers listen by default. Only 127.0.0.1 is asked: nothing beyond this PC is probed. */
export const USUAL_PORTS: ReadonlyArray<{ port: number; name: string }> = [
  { port: 11434, name: 'Ollama' },
  { port: 1234, name: 'LM Studio' },
  { port: 8080, name: 'llama.cpp server' },
  { port: 5001, name: 'KoboldCpp' },
  { port: 8000, name: 'vLLM' },
  { port: 1337, name: 'Jan' },
]

/** Each port gets this long to answer; all are asked at once, so the search takes about this long at most. */
export const FIND_TIMEOUT_MS = 1500

/**
 * "Find servers on this PC": asks each usual loopback port for its OpenAI model list (KoboldAI's model
 * where there is none) and lists what answered, with its models. A port where nothing listens, or that
 * answers something else, is left out.
 */
export async function findServers(
  options: { ports?: ReadonlyArray<{ port: number; name: string }>; timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<FoundServer[]> {
  const ports = options.ports ?? USUAL_PORTS
  const timeoutMs = options.timeoutMs ?? FIND_TIMEOUT_MS
  const target = (config: BackendConfig): BackendTarget => ({
    config,
    timeouts: { ...DEFAULT_TIMEOUTS, firstByteMs: timeoutMs, idleMs: timeoutMs, probeMs: timeoutMs },
    clock: systemClock,
    fetch: options.fetch,
  })
  const found = await Promise.all(
    ports.map(async ({ port, name }): Promise<FoundServer | null> => {
      const origin = `http://127.0.0.1:${port}`
      const url = `${origin}/v1`
      try {
        const models = await openAiModels(target({ kind: 'openai', url, model: '' }))
        return { name, kind: 'openai', url, models: models.map((model) => model.id), needsKey: false }
      } catch (error) {
        if (error instanceof BackendError && error.failure === 'key-refused')
          return { name, kind: 'openai', url, models: [], needsKey: true }
        // Nothing there, or something that takes the connection and never answers: no second question.
        if (error instanceof BackendError && (error.failure === 'unreachable' || error.failure === 'timeout')) return null
        // Not an OpenAI server; KoboldCpp builds without /v1 still answer the KoboldAI API.
      }
      try {
        const kobold = target({ kind: 'kobold', url: origin, model: '' })
        const loaded = await koboldLoadedModel(kobold)
        return { name, kind: 'kobold', url: origin, models: loaded && loaded !== 'inactive' ? [loaded] : [], needsKey: false }
      } catch {
        return null
      }
    }),
  )
  return found.filter((server): server is FoundServer => server !== null)
}
