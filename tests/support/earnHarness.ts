import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { createEarnService, type EarnDependencies, type EarnService } from '../../src/main/earn/earnService.js'
import { LocalUseGate } from '../../src/main/earn/localUseGate.js'
import { MiningGate } from '../../src/main/earn/miningGate.js'
import { alwaysIdle } from '../../src/main/earn/miningPolicy.js'
import type { Engine } from '../../src/main/engine/engine.js'
import { JobsRepository } from '../../src/main/store/jobsRepository.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import { SettingsRepository } from '../../src/main/store/settingsRepository.js'
import type { LoadedModel } from '../../src/shared/domain.js'
import type { GenerateResult } from '../../src/shared/generation.js'

/** The model the earn tests' engines say they have loaded. */
export const loadedModel: LoadedModel = {
  path: '/models/tiny.gguf',
  fileName: 'tiny.gguf',
  sizeBytes: 1,
  architecture: null,
  contextSize: 2048,
  hasChatTemplate: true,
  gpuLayers: 0,
  threads: 1,
}

/**
 * An engine with `loadedModel` ready that answers every generation with `answer` (its counts and timings
 * too, when given); `overrides` replaces any other part (a reload that waits, say).
 */
export function readyEngine(answer: Partial<GenerateResult> = {}, overrides: Partial<Engine> = {}): Engine {
  return {
    snapshot: () => ({ state: 'ready', gpu: null, model: loadedModel, loading: null, notice: null, restarts: 0 }),
    subscribe: () => () => undefined,
    load: async () => loadedModel,
    unload: async () => undefined,
    ensureSequences: async () => undefined,
    generate: async () => ({
      text: 'Once',
      finishReason: 'stop',
      promptTokens: 1,
      completionTokens: 1,
      durationMs: 1,
      firstTokenMs: 1,
      ...answer,
    }),
    close: async () => undefined,
    ...overrides,
  }
}

/**
 * The earn feature on the real store (`db`, its secrets in `secretsDir` under `dataDir`), never held by a
 * policy; `parts` adds to or replaces what it is built from. The caller closes it.
 */
export function earnServiceOn(
  db: Database.Database,
  dataDir: string,
  secretsDir: string,
  parts: Partial<EarnDependencies> & Pick<EarnDependencies, 'engine'>,
): EarnService {
  return createEarnService({
    ledger: new JobsRepository(db),
    settings: new SettingsRepository(db),
    secrets: new FileSecretStore(join(dataDir, secretsDir)),
    version: '0.0.0-test',
    gate: new MiningGate(new LocalUseGate(), alwaysIdle),
    ...parts,
  })
}
