import { advertisedModels, gridNamesOf } from '../../grid/advertisedNames.js'
import { multiplierOf, type DenRegistry } from '../../grid/denRegistry.js'
import type { GridAccess } from '../../grid/gridRequest.js'
import { fetchNetworkDemand, type NetworkDemand } from '../../grid/networkDemand.js'
import type { AdvisorReport } from '../../shared/advisor.js'
import type { JobLogEntry } from '../../shared/domain.js'
import type { CatalogItem, LocalModel } from '../../shared/models.js'
import { adviseEarnings, type AdviceCandidate } from './earningsAdvice.js'

/** What the advisor reads: the models, what they earn, what this PC measured, and where the grid is. */
export interface EarningsAdvisorDependencies {
  catalog: () => Promise<CatalogItem[]>
  localModels: () => Promise<LocalModel[]>
  /** AIPG's model registry as den sees it now. */
  registry: () => DenRegistry
  /** The CPU-only decode speed of a file of `sizeBytes` on this PC. */
  cpuTokensPerSecond: (sizeBytes: number) => Promise<number>
  /** This rig's job ledger (newest first). */
  jobs: () => JobLogEntry[]
  /** The AIPG grid to ask for its demand (the status endpoints need no key). */
  gridAccess: () => GridAccess
  /** The miner's answer length limit, the assumption when this PC has no AIPG jobs to measure yet. */
  maxLength: () => number
  /** AIPG names this rig serves right now. */
  servingNow: () => readonly string[]
  now?: () => number
}

/**
 * "What to mine on this PC": each catalog and local model that fits, with its estimated den per hour (this PC's
 * measured speed, else an estimate, × §16.5's den × its multiplier) and the grid's demand for it. Estimates only.
 */
export class EarningsAdvisor {
  constructor(private readonly deps: EarningsAdvisorDependencies) {}

  async report(): Promise<AdvisorReport> {
    const [catalog, local] = await Promise.all([this.deps.catalog(), this.deps.localModels()])
    const registry = this.deps.registry()
    const jobs = this.deps.jobs().filter((job) => job.network === 'aipg' && job.state === 'ok' && job.completionTokens > 0)
    const answerTokens = jobs.length
      ? {
          value: Math.max(1, Math.round(jobs.reduce((sum, job) => sum + job.completionTokens, 0) / jobs.length)),
          source: 'your-jobs' as const,
        }
      : { value: this.deps.maxLength(), source: 'max-length' as const }
    const serving = new Set(this.deps.servingNow())
    const measured = (name: string) => {
      const runs = jobs.filter((job) => job.model === name && job.tokensPerSecond > 0)
      return runs.length ? runs.reduce((sum, job) => sum + job.tokensPerSecond, 0) / runs.length : null
    }
    const candidate = async (
      base: Pick<AdviceCandidate, 'key' | 'name' | 'downloaded' | 'fit'>,
      advertisedName: string,
      sizeBytes: number,
    ): Promise<AdviceCandidate> => ({
      ...base,
      advertisedName,
      multiplier: multiplierOf(registry, advertisedName),
      measuredTokensPerSecond: measured(advertisedName),
      cpuTokensPerSecond: await this.deps.cpuTokensPerSecond(sizeBytes),
      servingNow: serving.has(advertisedName),
    })
    const inCatalog = new Set(catalog.map((item) => item.id))
    const candidates = await Promise.all([
      ...catalog.map((item) =>
        candidate(
          { key: item.id, name: item.name, downloaded: item.localModelId !== null, fit: item.fit.kind },
          gridNamesOf(catalog, registry, { catalogId: item.id, fileName: item.fileName })?.aipg ?? item.advertised.aipg,
          item.sizeBytes,
        ),
      ),
      ...local
        .filter((model) => model.present && !(model.catalogId && inCatalog.has(model.catalogId)))
        .map((model) => {
          const names = gridNamesOf(catalog, registry, {
            catalogId: model.catalogId,
            fileName: model.fileName,
            ggufNames: [model.metadata?.name],
          })
          return candidate(
            { key: model.id, name: model.metadata?.name || model.fileName, downloaded: true, fit: model.fit?.kind ?? 'unknown' },
            advertisedModels('aipg', model.fileName, names)[0]!,
            model.sizeBytes,
          )
        }),
    ])
    let demand: NetworkDemand | null = null
    let demandProblem: string | null = null
    try {
      demand = await fetchNetworkDemand(this.deps.gridAccess())
    } catch (error) {
      demandProblem = `The grid's demand is unavailable (${error instanceof Error ? error.message : String(error)}); the ranking uses den per hour alone.`
    }
    const { entries, recommended } = adviseEarnings(candidates, demand, answerTokens.value)
    return {
      checkedAt: (this.deps.now ?? Date.now)(),
      answerTokens,
      redundancyTarget: demand?.redundancyTarget ?? null,
      demandProblem,
      entries,
      recommended,
    }
  }
}
