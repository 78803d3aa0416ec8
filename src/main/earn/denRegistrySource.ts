import { fetchDenRegistry } from '../../grid/denRegistryFetch.js'
import type { DenRegistry, ReadRegistry } from '../../grid/denRegistry.js'
import type { GridAccess } from '../../grid/gridRequest.js'
import { Emitter } from '../lib/emitter.js'

/**
 * The model registry den is computed with: the shipped file (or the built-in seed when it fails to parse,
 * said once), replaced by the grid's when the grid publishes one.
 */
export class DenRegistrySource {
  /** Why the shipped file was not used, in one sentence; null when it was. */
  readonly problem: string | null
  private registry: DenRegistry
  private readonly events: Emitter<{ registry: DenRegistry }>

  constructor(
    shipped: ReadRegistry,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.registry = shipped.registry
    this.problem = shipped.problem
    this.events = new Emitter(log)
    if (shipped.problem) log(shipped.problem)
  }

  current(): DenRegistry {
    return this.registry
  }

  /** Calls `listener` when the registry changes; returns the function that stops it. */
  onChange(listener: (registry: DenRegistry) => void): () => void {
    return this.events.on('registry', listener)
  }

  /** Asks the grid for its registry; keeps the current one when it has none to give. Never throws. */
  async refreshFrom(access: GridAccess): Promise<void> {
    const published = await fetchDenRegistry(access)
    if (!published || sameRegistry(published, this.registry)) return
    this.registry = published
    this.log(`The grid published its model registry (${published.size} models).`)
    this.events.emit('registry', published)
  }
}

function sameRegistry(a: DenRegistry, b: DenRegistry): boolean {
  return a.size === b.size && [...a].every(([name, multiplier]) => b.get(name) === multiplier)
}
