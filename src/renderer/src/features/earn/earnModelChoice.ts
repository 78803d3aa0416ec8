import type { LoadedModel } from '../../../../shared/domain'
import type { CatalogItem, LocalModel } from '../../../../shared/models'
import type { ModelChoice } from '../../../../shared/quickStart'

/** One entry of the Earn view's model list: what is loaded, what is on this PC, what the catalog would download. */
export interface EarnModelOption {
  /** `loaded`, `local:<id>` or `catalog:<id>`: the select's value. */
  value: string
  label: string
  group: 'loaded' | 'local' | 'catalog'
}

/** What Start earning does with the chosen model: start the miner on the loaded one, or run the steps. */
export type EarnStartPlan = { kind: 'miner' } | { kind: 'quick-start'; choice: ModelChoice }

function gigabytes(bytes: number): string {
  if (bytes < 1e9) return `${Math.max(1, Math.round(bytes / 1e6))} MB`
  return `${(bytes / 1e9).toFixed(1)} GB`
}

/**
 * The models Start earning can mine, loaded first, then the ones on this PC, then the catalog. A catalog
 * model already downloaded is listed once, as the file on this PC, so choosing it never downloads it again.
 */
export function earnModelOptions(loaded: LoadedModel | null, local: LocalModel[], catalog: CatalogItem[]): EarnModelOption[] {
  const options: EarnModelOption[] = []
  if (loaded) options.push({ value: 'loaded', label: `${loaded.fileName} (loaded)`, group: 'loaded' })
  for (const model of local) {
    if (!model.present || model.path === loaded?.path) continue
    options.push({ value: `local:${model.id}`, label: `${model.fileName} (${gigabytes(model.sizeBytes)}, on this PC)`, group: 'local' })
  }
  const onThisPc = new Set(local.filter((model) => model.present).map((model) => model.id))
  for (const item of catalog) {
    if (item.localModelId && onThisPc.has(item.localModelId)) continue
    const recommended = item.recommended ? ', recommended' : ''
    options.push({
      value: `catalog:${item.id}`,
      label: `${item.name} (downloads ${gigabytes(item.sizeBytes)}${recommended})`,
      group: 'catalog',
    })
  }
  return options
}

/** The option chosen until the user picks one: the loaded model, else the last one mined, else the first on the list. */
export function defaultEarnModel(options: EarnModelOption[], last: ModelChoice | null): string | null {
  if (options.some((option) => option.value === 'loaded')) return 'loaded'
  const lastValue = last ? (last.kind === 'local' ? `local:${last.modelId}` : `catalog:${last.catalogId}`) : null
  if (lastValue && options.some((option) => option.value === lastValue)) return lastValue
  return options.find((option) => option.group === 'local')?.value ?? options[0]?.value ?? null
}

/** What Start earning does for an option; a model on this PC is loaded from its file, never downloaded. */
export function earnStartPlan(value: string, loaded: LoadedModel | null, local: LocalModel[]): EarnStartPlan | null {
  if (value === 'loaded') return loaded ? { kind: 'miner' } : null
  const [kind, id] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)]
  if (kind === 'local') {
    const model = local.find((item) => item.id === id)
    if (!model) return null
    return model.path === loaded?.path ? { kind: 'miner' } : { kind: 'quick-start', choice: { kind: 'local', modelId: id } }
  }
  if (kind === 'catalog') return { kind: 'quick-start', choice: { kind: 'catalog', catalogId: id } }
  return null
}
