import { advertisedModels } from '../../grid/advertisedNames.js'
import { multiplierOf, type DenRegistry } from '../../grid/denRegistry.js'
import type { LoadedModel, ModelRate } from '../../shared/domain.js'
import type { CatalogEntry } from '../../shared/models.js'
import type { Engine } from '../engine/engine.js'
import type { DenRegistrySource } from './denRegistrySource.js'

/** What the loaded model earns on AIPG under the name the miner advertises it by. */
export function modelRateOf(
  model: Pick<LoadedModel, 'path' | 'fileName'>,
  names: CatalogEntry['advertised'] | null,
  registry: DenRegistry,
  registryProblem: string | null = null,
): ModelRate {
  const advertisedName = advertisedModels('aipg', model.fileName, names)[0] ?? model.fileName
  const multiplier = multiplierOf(registry, advertisedName)
  return { path: model.path, advertisedName, multiplier, registered: registry.has(advertisedName.toLowerCase().trim()), registryProblem }
}

/** What the model rate is computed from. */
export interface ModelRateDependencies {
  engine: Pick<Engine, 'snapshot' | 'subscribe'>
  /** The grid names of a loaded file, registry-aware (the miner advertises the same). */
  advertisedFor: (path: string, registry: DenRegistry) => CatalogEntry['advertised'] | null
  registry: DenRegistrySource
}

/** The loaded model's rate, recomputed when the model or the registry changes; tells listeners only on a change. */
export class ModelRateSource {
  private rate: ModelRate | null = null
  private key = ''

  constructor(private readonly deps: ModelRateDependencies) {}

  current(): ModelRate | null {
    const model = this.deps.engine.snapshot().model
    const registry = this.deps.registry.current()
    if (!model) {
      this.rate = null
      return null
    }
    const key = `${model.path}\u0000${registry.size}\u0000${[...registry].join(',')}`
    if (key !== this.key || !this.rate) {
      this.key = key
      this.rate = modelRateOf(model, this.deps.advertisedFor(model.path, registry), registry, this.deps.registry.problem)
    }
    return this.rate
  }

  /** Calls `listener` when the rate changes (another model, another registry); returns the function that stops it. */
  subscribe(listener: (rate: ModelRate | null) => void): () => void {
    let last = JSON.stringify(this.current())
    const check = () => {
      const rate = this.current()
      const now = JSON.stringify(rate)
      if (now === last) return
      last = now
      listener(rate)
    }
    const stops = [this.deps.engine.subscribe(check), this.deps.registry.onChange(check)]
    return () => stops.forEach((stop) => stop())
  }
}
