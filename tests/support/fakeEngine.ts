import { basename } from 'node:path'
import type { Engine } from '../../src/main/engine/engine.js'
import type { EngineSnapshot, LoadedModel } from '../../src/shared/domain.js'

/** What the engine says of a model loaded from `path`: one byte, llama, 256 tokens of context, on the CPU; `more` replaces any of it. */
export function loadedModelAt(path: string, more: Partial<LoadedModel> = {}): LoadedModel {
  return {
    path,
    fileName: basename(path),
    sizeBytes: 1,
    architecture: 'llama',
    contextSize: 256,
    hasChatTemplate: false,
    gpuLayers: 0,
    threads: 1,
    ...more,
  }
}

/** An engine snapshot: ready, nothing loaded, no notice, unless `change` says otherwise. */
export function engineSnapshot(change: Partial<EngineSnapshot> = {}): EngineSnapshot {
  return { state: 'ready', gpu: null, model: null, loading: null, notice: null, restarts: 0, ...change }
}

/** An engine that stays `snapshot` and whose generations `generate` answers; loading returns its model, the rest does nothing. */
export function scriptedEngineOn(snapshot: EngineSnapshot, generate: Engine['generate']): Engine {
  return {
    snapshot: () => snapshot,
    subscribe: () => () => undefined,
    load: async () => snapshot.model!,
    unload: async () => undefined,
    ensureSequences: async () => undefined,
    close: async () => undefined,
    generate,
  }
}
