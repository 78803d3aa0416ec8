import { systemClock, type Clock, type GenerationEngine } from '../ports.js'
import type { BackendTarget } from './backendHttp.js'
import { createBackendHealth, type BackendHealth, type HealthIntervals } from './backendHealth.js'
import { checkServing } from './backendServing.js'
import { DEFAULT_TIMEOUTS, type BackendCapabilities, type BackendConfig } from './backendTypes.js'
import { probeCapabilities } from './capabilityProbe.js'
import { koboldBackend } from './koboldBackend.js'
import { openAiBackend } from './openAiBackend.js'
import { recoveringEngine } from './recoveringEngine.js'

/** A probed server: its engine for the job loop, its health gate, and what it was seen to support. */
export interface Bridge {
  engine: GenerationEngine
  health: BackendHealth
  capabilities: BackendCapabilities
}

/**
 * Probes the server's model and builds the engine and the health gate on what passed. Throws the
 * `BackendError` of a server that cannot serve at all (unreachable, a web page, no such model, key refused).
 */
export async function openBridge(
  config: BackendConfig,
  deps: { clock?: Clock; fetch?: typeof fetch; intervals?: HealthIntervals } = {},
): Promise<Bridge> {
  const target: BackendTarget = {
    config,
    timeouts: { ...DEFAULT_TIMEOUTS, ...config.timeouts },
    clock: deps.clock ?? systemClock,
    fetch: deps.fetch,
  }
  const capabilities = await probeCapabilities(target)
  const health = createBackendHealth(() => checkServing(target), target.clock, deps.intervals)
  const backend = config.kind === 'openai' ? openAiBackend : koboldBackend
  const engine = recoveringEngine(backend(target, capabilities, health.reportFailure), health, target.timeouts.recoveryMs)
  return { engine, health, capabilities }
}

/**
 * The server's model for a person waiting on the reply (chat, the local API): probed like a job's, without
 * the job loop's wait for a restarting server, since a person would rather read the sentence at once.
 */
export async function openChatEngine(
  config: BackendConfig,
  deps: { clock?: Clock; fetch?: typeof fetch } = {},
): Promise<{ engine: GenerationEngine; capabilities: BackendCapabilities }> {
  const target: BackendTarget = {
    config,
    timeouts: { ...DEFAULT_TIMEOUTS, ...config.timeouts },
    clock: deps.clock ?? systemClock,
    fetch: deps.fetch,
  }
  const capabilities = await probeCapabilities(target)
  const backend = config.kind === 'openai' ? openAiBackend : koboldBackend
  return { engine: backend(target, capabilities), capabilities }
}
